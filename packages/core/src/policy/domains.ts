import { getDomain, getDomainWithoutSuffix } from 'tldts';
import { FREE_MAIL_BRANDS, FREE_MAIL_DOMAINS } from './free-mail.js';

/*
 * One normal form for every domain crmsync compares (E2 mailbox domains, E4 exclusion domains,
 * X2 Account websites, P4 lead email domains): lower-case ASCII, IDN labels in Punycode
 * (`müller.de` -> `xn--mller-kva.de`), no trailing dot. Punycode rather than Unicode because it
 * is what DNS and tldts agree on, and the WHATWG URL parser that produces it also folds case,
 * full-width dots and other UTS-46 mappings the same way a browser would. Both sides of every
 * comparison go through these functions, so either spelling of a domain matches the other.
 */

/** Private suffixes (github.io, blogspot.com, ...) count as suffixes, so two sites on them stay two companies. */
const TLDTS_OPTIONS = { allowPrivateDomains: true } as const;

/** A host name in the normal form above, or null when it cannot be a host name. */
export function normalizeHost(host: string): string | null {
  const trimmed = host.trim().replace(/^@/, '').replace(/\.+$/, '');
  if (trimmed === '' || /[\s/\\?#@:]/.test(trimmed)) return null;
  let ascii: string;
  try {
    ascii = new URL(`http://${trimmed}`).hostname;
  } catch {
    return null;
  }
  // The URL parser accepts IPv6 brackets and bare numbers ("123" -> "0.0.0.123"): neither is a mail domain.
  if (ascii === '' || ascii.startsWith('[') || /^[\d.]+$/.test(ascii)) return null;
  return ascii.replace(/\.+$/, '');
}

/**
 * The address part of `jane@acme.com` or `"Jane Doe" <Jane@Acme.com>`: trimmed, NFC-normalised,
 * lower-cased (E4 says addresses ignore case) with its domain in the normal form; null when it
 * has no `@` or no valid domain.
 */
export function normalizeAddress(address: string): string | null {
  const angle = /<([^<>]*)>\s*$/.exec(address);
  const bare = (angle?.[1] ?? address).trim().replace(/^mailto:/i, '');
  // The last `@` splits: a quoted local part may itself contain one.
  const at = bare.lastIndexOf('@');
  if (at <= 0) return null;
  const domain = normalizeHost(bare.slice(at + 1));
  if (domain === null) return null;
  return `${bare.slice(0, at).normalize('NFC').toLowerCase()}@${domain}`;
}

/** The domain of an email address (`"Jane" <jane@Mail.Acme.com>` -> `mail.acme.com`), or null when there is none. */
export function domainOfEmail(address: string): string | null {
  const normal = normalizeAddress(address);
  return normal === null ? null : normal.slice(normal.lastIndexOf('@') + 1);
}

/**
 * The registrable domain of a host (`eu.mail.acme.co.uk` -> `acme.co.uk`). A host with no public
 * suffix (an intranet name) is its own registrable domain; null when it is not a host name.
 */
export function registrableDomain(domain: string): string | null {
  const host = normalizeHost(domain);
  if (host === null) return null;
  return getDomain(host, TLDTS_OPTIONS) ?? host;
}

/**
 * X2: an Account's `Website` as the registrable domain companies are matched on. Scheme, `www.`,
 * credentials, port, path, query and fragment are ignored; subdomains fold into their domain.
 * Null for a value that holds no host (empty, `n/a`, an IP address).
 */
export function normalizeWebsite(url: string): string | null {
  const trimmed = url.trim();
  if (trimmed === '') return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
    ? trimmed
    : `http://${trimmed.replace(/^\/\//, '')}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname;
  } catch {
    return null;
  }
  const normal = normalizeHost(host);
  // A single label ("n/a", "localhost") is not a company website.
  if (normal === null || !normal.includes('.')) return null;
  return registrableDomain(normal);
}

/**
 * True when `domain` is `parent` or one of its subdomains, label by label: `mail.ymail.org`
 * is under `ymail.org`, `notymail.org` is not. Both sides are normalised first.
 */
export function isSameOrSubdomain(domain: string, parent: string): boolean {
  const d = normalizeHost(domain);
  const p = normalizeHost(parent);
  if (d === null || p === null) return false;
  return d === p || d.endsWith(`.${p}`);
}

/**
 * E2, P4: true for a consumer mail provider's domain or any of its subdomains
 * (`gmail.com`, `yahoo.co.uk`, `mail.yandex.ru`). See `free-mail.ts` for the list.
 */
export function isFreeMail(domain: string): boolean {
  const host = normalizeHost(domain);
  if (host === null) return false;
  const labels = host.split('.');
  // Every parent of the host, so a provider's subdomains (`mail.yandex.ru`) count too.
  for (let i = 0; i < labels.length - 1; i++) {
    if (FREE_MAIL_DOMAINS.has(labels.slice(i).join('.'))) return true;
  }
  // Brands that run the same service under many country suffixes (yahoo.fr, gmx.at, ...). ICANN
  // suffixes only, so a site hosted at `yahoo.blogspot.com` is not taken for Yahoo Mail.
  const brand = getDomainWithoutSuffix(host, { allowPrivateDomains: false });
  return brand !== null && FREE_MAIL_BRANDS.has(brand);
}
