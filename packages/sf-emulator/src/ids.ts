// Salesforce record ids: 15 case-sensitive base-62 characters plus a 3-character checksum that
// makes the 18-character form safe for case-insensitive systems (reference §2.4).

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

function checksum(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const code = id15.charCodeAt(chunk * 5 + i);
      if (code >= 65 && code <= 90) bits |= 1 << i;
    }
    out += CHECKSUM_ALPHABET[bits];
  }
  return out;
}

export function to18(id15: string): string {
  return id15 + checksum(id15);
}

/**
 * The canonical 18-character form of a 15- or 18-character id, or undefined when the text is not
 * an id (wrong length or characters, or an 18-character id whose checksum does not match).
 */
export function normalizeId(text: string): string | undefined {
  if (!ID_SHAPE.test(text)) return undefined;
  const id15 = text.slice(0, 15);
  const full = to18(id15);
  if (text.length === 18 && text.slice(15) !== full.slice(15)) return undefined;
  return full;
}

/** True when the text has an id's length and alphabet (the checksum may still be wrong). */
export function looksLikeId(text: string): boolean {
  return /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(text);
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

function base62(n: number, width: number): string {
  let out = '';
  let rest = n;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/**
 * Mints ids for one org: key prefix, a 2-character pod taken from the org number, a reserved
 * "0" and a 9-character counter, so ids from different orgs never collide.
 */
export class IdMinter {
  private counter: number;
  constructor(
    private readonly pod: string,
    start = 1,
  ) {
    this.counter = start;
  }
  next(keyPrefix: string): string {
    return to18(keyPrefix + this.pod + '0' + base62(this.counter++, 9));
  }
  /** Persisted so a restarted org keeps minting fresh ids. */
  get position(): number {
    return this.counter;
  }
}

export function podFor(orgNumber: number): string {
  return base62(orgNumber + 62 * 10, 2);
}

export function orgIdFor(orgNumber: number): string {
  return to18('00D' + podFor(orgNumber) + '0' + base62(orgNumber, 9));
}
