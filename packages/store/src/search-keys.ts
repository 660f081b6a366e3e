import { normalizeAddress, normalizeWebsite, type LocalObjectType } from '@crmsync/core';

/**
 * The lookup keys kept beside a record so X1 (email) and X2 (company name, website domain)
 * searches hit an index. They use core's normal forms, so the store and `decidePush` agree on
 * what "the same email" or "the same domain" means.
 */
export interface SearchKeys {
  email_key: string | null;
  name_key: string | null;
  domain_key: string | null;
}

export function emailKey(email: string | null | undefined): string | null {
  return email === null || email === undefined ? null : normalizeAddress(email);
}

/** As core's X2 name comparison: Unicode NFC, trimmed, lower-cased. */
export function nameKey(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const key = name.normalize('NFC').trim().toLowerCase();
  return key === '' ? null : key;
}

export function domainKey(website: string | null | undefined): string | null {
  return website === null || website === undefined ? null : normalizeWebsite(website);
}

export function searchKeysOf(type: LocalObjectType, data: Record<string, unknown>): SearchKeys {
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  switch (type) {
    case 'person':
      return { email_key: emailKey(text(data['email'])), name_key: null, domain_key: null };
    case 'company':
      return {
        email_key: null,
        name_key: nameKey(text(data['name'])),
        domain_key: domainKey(text(data['website'])),
      };
    default:
      return { email_key: null, name_key: null, domain_key: null };
  }
}
