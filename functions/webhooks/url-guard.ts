// Keeps webhook deliveries away from Plinth's own network: an endpoint URL must be https and resolve
// only to public addresses, checked when the endpoint is saved and again on every connection.
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export type UrlRefusalCode = 'url_invalid' | 'url_not_allowed' | 'url_unresolvable';

export class UrlRefused extends Error {
  readonly code: UrlRefusalCode;

  constructor(code: UrlRefusalCode, message: string) {
    super(message);
    this.name = 'UrlRefused';
    this.code = code;
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to; tests pass their own so they need no network. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  /** On one machine receivers run on localhost over http, so only scheme and metadata rules apply. */
  local: boolean;
  /** @default the operating system's resolver (`dns.lookup`, all addresses), as connections use */
  resolve?: Resolver;
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

// Instance metadata answers credentials to whoever asks from inside: refused even on one machine,
// which may itself be a cloud instance.
const metadataAddresses = new BlockList();
metadataAddresses.addAddress('169.254.169.254', 'ipv4');
metadataAddresses.addAddress('fd00:ec2::254', 'ipv6');

const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. instance metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
// BlockList checks IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) against the IPv4 rules above.
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible range
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments, incl. Teredo
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local, incl. fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

/** The 16 bytes of an IPv6 address, or undefined if it is not one. */
function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  // A trailing dotted quad (e.g. 64:ff9b::10.0.0.1) stands for the last two groups.
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted
    ? `${dotted[1]}${[dotted[2], dotted[3], dotted[4], dotted[5]]
        .map((octet) => Number(octet).toString(16).padStart(2, '0'))
        .reduce((groups, octet, i) => groups + (i === 2 ? ':' : '') + octet, '')}`
    : address;
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part.length > 0 ? part.split(':') : []);
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return all.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** The IPv4 address a NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address reaches. */
function embeddedIPv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  const prefix = bytes.slice(0, 12).join('.');
  if (prefix === '0.100.255.155.0.0.0.0.0.0.0.0') return bytes.slice(12).join('.');
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6).join('.');
  return undefined;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Whether a delivery may connect to `address`; anything that is not a valid IP is refused. */
export function isAllowedAddress(address: string, options: { local: boolean }): boolean {
  const family = familyOf(address);
  if (!family) return false;
  if (metadataAddresses.check(address, family)) return false;
  if (options.local) return true;
  if (nonPublic.check(address, family)) return false;
  const embedded = embeddedIPv4(address);
  return embedded === undefined || !nonPublic.check(embedded, 'ipv4');
}

function refusedAddress(hostname: string, address: string): UrlRefused {
  const target = hostname === address ? address : `${hostname} (${address})`;
  return new UrlRefused(
    'url_not_allowed',
    `${target} is a private, loopback, link-local or otherwise non-public address; webhooks are delivered to public addresses only.`,
  );
}

/**
 * Checks what can be known without DNS: a well-formed http(s) URL, https unless local, and an IP
 * literal host that is allowed. Returns the parsed URL with the host as connections will see it.
 */
export function parseEndpointUrl(url: string, options: { local: boolean }): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UrlRefused('url_invalid', 'The URL is not a valid absolute URL.');
  }
  if (parsed.protocol !== 'https:' && !(options.local && parsed.protocol === 'http:')) {
    throw new UrlRefused(
      'url_not_allowed',
      options.local ? 'The URL must use http or https.' : 'The URL must use https.',
    );
  }
  const host = hostOf(parsed);
  if (familyOf(host) && !isAllowedAddress(host, options)) throw refusedAddress(host, host);
  return parsed;
}

/** The host without IPv6 brackets: WHATWG URL parsing has already normalised IPv4 spellings. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Refuses a URL that is not https (http is allowed on one machine) or whose host resolves to any
 * non-public address; an unresolvable host is refused with `url_unresolvable`.
 */
export async function checkEndpointUrl(url: string, options: UrlGuardOptions): Promise<void> {
  const host = hostOf(parseEndpointUrl(url, options));
  if (familyOf(host)) return;
  const addresses = await resolveAll(host, options.resolve ?? systemResolver);
  const refused = addresses.find((a) => !isAllowedAddress(a.address, options));
  if (refused) throw refusedAddress(host, refused.address);
}

async function resolveAll(host: string, resolve: Resolver): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) {
    throw new UrlRefused('url_unresolvable', `The host ${host} could not be resolved.`);
  }
  return addresses;
}

/**
 * A `lookup` for http(s).request: resolves the host and fails the connection with a UrlRefused
 * if any address is not allowed, so the address connected to is the one checked (no window for DNS
 * rebinding). Node skips `lookup` for IP literal hosts: check those with {@link parseEndpointUrl}.
 */
export function guardedLookup(options: UrlGuardOptions): LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
        const refused = usable.find((a) => !isAllowedAddress(a.address, options));
        const first = usable[0];
        if (refused) callback(refusedAddress(hostname, refused.address), '', 0);
        else if (!first) callback(notFound(hostname), '', 0);
        else if (lookupOptions.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  error.code = 'ENOTFOUND';
  return error;
}
