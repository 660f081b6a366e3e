import { isIPv4, isIPv6 } from 'node:net';

/*
 * The addresses a webhook must not reach unless the operator opts in: everything that is not a
 * public unicast address, because a POST there lands inside crmsync's own network (its loopback,
 * the LAN, a cloud metadata service) instead of at a receiver on the internet. IPv6 forms that
 * carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address they carry.
 */

interface Range {
  family: 4 | 6;
  base: bigint;
  bits: number;
  /** What the address is, as a user reads it after "resolves to 10.0.0.1, ". */
  kind: string;
}

const V4_BITS = 32;
const V6_BITS = 128;

function parseV4(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(ip: string): bigint {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const v4 = parseV4(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const range = (cidr: string, kind: string): Range => {
  const [ip = '', bits = ''] = cidr.split('/');
  const family = isIPv4(ip) ? 4 : 6;
  return { family, base: family === 4 ? parseV4(ip) : parseV6(ip), bits: Number(bits), kind };
};

const PRIVATE = 'a private (RFC 1918) address';
const RANGES: readonly Range[] = [
  range('0.0.0.0/8', 'an unspecified ("this network") address'),
  range('10.0.0.0/8', PRIVATE),
  range('100.64.0.0/10', 'a carrier-grade NAT (100.64.0.0/10) address'),
  range('127.0.0.0/8', 'a loopback address'),
  range('169.254.0.0/16', 'a link-local address (where cloud metadata services answer)'),
  range('172.16.0.0/12', PRIVATE),
  range('192.0.0.0/24', 'a reserved (IETF protocol assignments) address'),
  range('192.168.0.0/16', PRIVATE),
  range('198.18.0.0/15', 'a reserved (benchmarking) address'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved or broadcast address'),
  range('::/128', 'an unspecified address'),
  range('::1/128', 'a loopback address'),
  range('::/96', 'a reserved (IPv4-compatible) address'),
  range('64:ff9b:1::/48', 'a private NAT64 address'),
  range('fc00::/7', 'a unique local (fc00::/7) address'),
  range('fe80::/10', 'a link-local address'),
  range('fec0::/10', 'a site-local address'),
  range('ff00::/8', 'a multicast address'),
];

/** IPv6 prefixes whose low bits are an IPv4 address, and where those bits start (from the right). */
const CARRIES_V4: readonly { prefix: Range; shift: bigint }[] = [
  { prefix: range('::ffff:0:0/96', 'IPv4-mapped'), shift: 0n },
  { prefix: range('64:ff9b::/96', 'NAT64'), shift: 0n },
  { prefix: range('2002::/16', '6to4'), shift: 80n },
];

function inRange(family: 4 | 6, value: bigint, r: Range): boolean {
  if (family !== r.family) return false;
  const shift = BigInt((family === 4 ? V4_BITS : V6_BITS) - r.bits);
  return value >> shift === r.base >> shift;
}

function kindOf(family: 4 | 6, value: bigint): string | null {
  if (family === 6)
    for (const { prefix, shift } of CARRIES_V4)
      if (inRange(6, value, prefix)) {
        const inner = kindOf(4, (value >> shift) & 0xffffffffn);
        return inner === null ? null : `${inner} (inside a ${prefix.kind} IPv6 address)`;
      }
  return RANGES.find((r) => inRange(family, value, r))?.kind ?? null;
}

/**
 * Why a webhook may not be sent to `ip` ("a loopback address", ...), or null for a public
 * address. Anything that is not an IP address is refused too (it cannot be judged).
 */
export function blockedAddressKind(ip: string): string | null {
  if (isIPv4(ip)) return kindOf(4, parseV4(ip));
  if (isIPv6(ip)) return kindOf(6, parseV6(ip));
  return 'not an IP address';
}
