import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { blockedAddressKind } from './blocked-addresses.js';

/*
 * Keeps webhooks out of crmsync's own network (server-side request forgery): an API key holder
 * chooses the URL, so without this guard they could make crmsync POST to its loopback, the LAN or
 * a cloud metadata service. The URL is checked at registration (a clear refusal early) and again
 * at every delivery, where the check runs inside the connection's own DNS lookup: the address
 * that was checked is the one connected to, so a name re-pointed between check and connect
 * (DNS rebinding) cannot slip through.
 */

export interface WebhookTargetPolicy {
  /**
   * Lets webhooks reach loopback, private, link-local and other internal addresses
   * (CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1): for development, and for teams whose receivers live on
   * their own network. False refuses them.
   */
  allowPrivate: boolean;
  /** Every address of a host name (default: the system resolver, as connections use it). */
  resolve?: (hostname: string) => Promise<string[]>;
}

export const DENY_PRIVATE: WebhookTargetPolicy = { allowPrivate: false };

/** A webhook URL that leads into crmsync's own network; the message says what to do. */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
  constructor(
    message: string,
    readonly address: string,
  ) {
    super(message);
  }
}

const systemResolve = async (hostname: string): Promise<string[]> =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** RFC 6761: `localhost` and its subdomains are loopback whatever a resolver says. */
const isLocalhostName = (host: string): boolean => /(^|\.)localhost\.?$/i.test(host);

/** The host as a connection takes it: an IPv6 literal without its brackets. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

function refused(url: string, host: string, address: string, kind: string): WebhookTargetRefused {
  const where =
    host === address
      ? `the webhook URL ${url} points at ${address}`
      : `the webhook URL ${url} names ${host}, which resolves to ${address}`;
  return new WebhookTargetRefused(
    `${where}, ${kind}; crmsync does not send webhooks into its own network. Use a receiver with a public address, or, if your receivers live on your own network, set CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1 for every crmsync process (serve and worker)`,
    address,
  );
}

/** Every address of `host`, each checked; throws WebhookTargetRefused, or the resolver's error. */
async function checkedAddresses(url: string, host: string, policy: WebhookTargetPolicy): Promise<string[]> {
  const addresses = isIP(host)
    ? [host]
    : isLocalhostName(host)
      ? ['127.0.0.1', '::1']
      : await (policy.resolve ?? systemResolve)(host);
  if (!policy.allowPrivate)
    for (const address of addresses) {
      const kind = blockedAddressKind(address);
      if (kind !== null) throw refused(url, host, address, kind);
    }
  return addresses;
}

/**
 * At registration: throws WebhookTargetRefused when the URL's host is, or resolves to, an internal
 * address. A name that does not resolve now is accepted: every delivery checks it again.
 */
export async function checkWebhookTarget(url: string, policy: WebhookTargetPolicy): Promise<void> {
  if (policy.allowPrivate) return;
  try {
    await checkedAddresses(url, hostOf(new URL(url)), policy);
  } catch (err) {
    if (err instanceof WebhookTargetRefused) throw err;
  }
}

/** At delivery, for a URL whose host is an IP address (connections do not look those up). */
export function literalTargetRefusal(url: URL, policy: WebhookTargetPolicy): WebhookTargetRefused | null {
  const host = hostOf(url);
  if (policy.allowPrivate || isIP(host) === 0) return null;
  const kind = blockedAddressKind(host);
  return kind === null ? null : refused(url.href, host, host, kind);
}

/**
 * At delivery, the `lookup` of the connection to `url`: resolves the name, refuses it when any
 * address is internal (the error reaches the request as WebhookTargetRefused) and hands the
 * connection only addresses it checked.
 */
export function guardedLookup(url: string, policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    checkedAddresses(url, hostname, policy).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = addresses.filter((a) => family === 0 || isIP(a) === family);
        const first = usable[0];
        if (first === undefined)
          callback(
            Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }),
            '',
          );
        else if (options.all)
          callback(
            null,
            usable.map((address) => ({ address, family: isIP(address) })),
          );
        else callback(null, first, isIP(first));
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
