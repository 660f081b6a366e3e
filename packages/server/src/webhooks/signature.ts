import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Webhook signatures, Stripe-style: `Crmsync-Signature: t=<unix seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256 with the webhook's secret over `<t>.<raw body>`. Signing the timestamp with the body
 * lets a receiver refuse a replayed delivery by its age.
 */

export const SIGNATURE_HEADER = 'crmsync-signature';

const hmac = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The header value for `body` sent at `at`. */
export function signWebhook(secret: string, at: Date, body: string): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver runs: the header must carry a v1 signature of this exact body and secret, made
 * within `toleranceSeconds` of `now`.
 */
export function verifyWebhookSignature(
  header: string | undefined,
  body: string,
  secret: string,
  now: Date,
  toleranceSeconds = 300,
): SignatureCheck {
  if (header === undefined) return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined) return { ok: false, reason: 'the header has no t= or v1=' };
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds)
    return { ok: false, reason: `the timestamp is more than ${toleranceSeconds} s away` };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  const given = Buffer.from(v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'the signature does not match the body and secret' };
  return { ok: true };
}
