import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StoreError } from './errors.js';

/** Seals and opens secrets (tokens, client secrets) so they are never stored in clear. */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws `wrong_encryption_key` when the text was sealed with another key or was altered. */
  open(sealed: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random 96-bit IV per message. The sealed form is
 * `v1:<iv>:<tag>:<ciphertext>` in base64url: the version prefix lets a later release change
 * the scheme and still open old rows. GCM's tag makes a wrong key or a tampered row fail loudly
 * instead of decrypting to garbage.
 */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.byteLength !== 32) {
    throw new Error(
      `The encryption key must be exactly 32 bytes (got ${key.byteLength}); generate one with \`openssl rand -base64 32\` and pass its decoded bytes.`,
    );
  }
  const keyBuffer = Buffer.from(key);
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyBuffer, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join(
        ':',
      );
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new StoreError(
          'wrong_encryption_key',
          'The stored credentials are not in a format this crmsync can open; reconnect the workspace to Salesforce.',
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyBuffer, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch (cause) {
        throw new StoreError(
          'wrong_encryption_key',
          'The stored Salesforce credentials cannot be decrypted with this encryption key: start crmsync with the key the workspace was connected with, or reconnect the workspace.',
          { cause },
        );
      }
    },
  };
}
