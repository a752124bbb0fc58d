// Keeps Plinth's outbound requests to URLs a tenant gives (webhook deliveries, an OIDC provider's
// discovery, token and keys endpoints) away from Plinth's own network: the URL must be https and
// resolve only to public addresses, checked when it is saved and again on every connection.
import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

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

/** Where this deployment's outbound requests may go, read from the function's config. */
export interface UrlGuardPolicy {
  /** On one machine receivers run locally over http: loopback and private addresses are allowed. */
  local: boolean;
  /** Ports refused whatever the host: on one machine, those of Plinth's own services. @default none */
  refusedPorts?: readonly number[] | undefined;
}

export interface UrlGuardOptions extends UrlGuardPolicy {
  /** @default the operating system's resolver (`dns.lookup`, all addresses), as connections use */
  resolve?: Resolver;
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** An address block; IPv4 blocks are held as their IPv4-mapped IPv6 form (::ffff:a.b.c.d). */
interface Block {
  readonly first: bigint;
  readonly prefix: number;
}

const ipv4MappedBase = 0xffffn << 32n;

function v6(cidr: string): Block {
  const [network = '', prefix = ''] = cidr.split('/');
  return { first: ipv6Value(network)!, prefix: Number(prefix) };
}

function v4(cidr: string): Block {
  const [network = '', prefix = ''] = cidr.split('/');
  return { first: ipv4MappedBase | ipv4Value(network), prefix: 96 + Number(prefix) };
}

function contains(block: Block, value: bigint): boolean {
  const shift = BigInt(128 - block.prefix);
  return value >> shift === block.first >> shift;
}

// The IANA IPv4 Special-Purpose Address Registry, plus multicast: none is a tenant's server. Blocks
// the registry marks globally reachable are anycast services (PCP, TURN, AMT relays, AS112) that answer
// from the nearest operator, which may be inside the network the delivery leaves from.
const ipv4Special = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, incl. instance metadata
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments: DS-Lite, PCP and TURN anycast, NAT64 discovery
  '192.0.2.0/24', // documentation
  '192.31.196.0/24', // AS112
  '192.52.193.0/24', // AMT relays
  '192.88.99.0/24', // 6to4 relay anycast (deprecated)
  '192.168.0.0/16', // private
  '192.175.48.0/24', // AS112 direct delegation
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. the limited broadcast 255.255.255.255
].map(v4);

// The IANA IPv6 Special-Purpose Address Registry, plus the other non-global-unicast ranges. Forms
// that embed an IPv4 address are refused whatever they embed, except the two decided by it (below).
const ipv6Special = [
  '::/96', // unspecified, loopback, and IPv4-compatible ::a.b.c.d (deprecated)
  '::ffff:0:0:0/96', // SIIT IPv4-translated: the translator sits in the network being protected
  '64:ff9b:1::/48', // local-use NAT64: translated by the network's own gateway
  '100::/64', // discard
  '100:0:0:1::/64', // dummy prefix
  '2001::/23', // IETF protocol assignments: Teredo, benchmarking, AMT, AS112, ORCHIDv2, DET, anycast
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4 (deprecated): relayed to the embedded IPv4, private or not
  '2620:4f:8000::/48', // AS112 direct delegation
  '3fff::/20', // documentation
  '5f00::/16', // SRv6 segment identifiers
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
].map(v6);

/** IANA allocates IPv6 unicast from 2000::/3 only: the rest of the space is reserved. */
const globalUnicast = v6('2000::/3');

/** IPv4-mapped: the IPv4 address itself, as a dual-stack socket connects to it. */
const ipv4Mapped = v6('::ffff:0:0/96');
/** The well-known NAT64 prefix: a public IPv4 receiver as an IPv6-only network reaches it. */
const nat64 = v6('64:ff9b::/96');

// On one machine receivers run on the developer's own loopback or private network.
const localReceivers = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']
  .map(v4)
  .concat(['::1/128', 'fc00::/7'].map(v6));

// Instance metadata answers credentials to whoever asks from inside: refused even on one machine,
// which may itself be a cloud instance. Its IPv4 form is link-local, which no policy allows.
const metadataIPv6 = v6('fd00:ec2::254/128');

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** The 128 bits of an IPv6 address (without a zone id), or undefined if it is not one. */
function ipv6Value(address: string): bigint | undefined {
  if (isIP(address) !== 6) return undefined;
  // A trailing dotted quad (e.g. ::ffff:10.0.0.1) stands for the last two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const quad = dotted ? ipv4Value(dotted[2]!) : 0n;
  const text = dotted
    ? `${dotted[1]}${(quad >> 16n).toString(16)}:${(quad & 0xffffn).toString(16)}`
    : address;
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part.length > 0 ? part.split(':') : []);
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const all = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return all.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

/** An address as 128 bits, IPv4 as IPv4-mapped; undefined if it is not an IP address. */
function valueOf(address: string): bigint | undefined {
  const version = isIP(address);
  if (version === 4) return ipv4MappedBase | ipv4Value(address);
  // A zone id (fe80::1%eth0) only picks the interface: the address decides.
  return version === 6 ? ipv6Value(address.replace(/%.*$/, '')) : undefined;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Whether `value` (IPv4 addresses in their mapped form) may be connected to. */
function allowed(value: bigint, local: boolean): boolean {
  if (contains(ipv4Mapped, value)) {
    if (local && localReceivers.some((block) => contains(block, value))) return true;
    return !ipv4Special.some((block) => contains(block, value));
  }
  // A NAT64 gateway never translates to the machine's own loopback or private network.
  if (contains(nat64, value)) return allowed(ipv4MappedBase | (value & 0xffffffffn), false);
  if (contains(metadataIPv6, value)) return false;
  if (local && localReceivers.some((block) => contains(block, value))) return true;
  return contains(globalUnicast, value) && !ipv6Special.some((block) => contains(block, value));
}

/** Whether a delivery may connect to `address`; anything that is not a valid IP is refused. */
export function isAllowedAddress(address: string, options: { local: boolean }): boolean {
  const value = valueOf(address);
  return value !== undefined && allowed(value, options.local);
}

function refusedAddress(hostname: string, address: string): UrlRefused {
  const target = hostname === address ? address : `${hostname} (${address})`;
  return new UrlRefused(
    'url_not_allowed',
    `${target} is a private, loopback, link-local or otherwise non-public address; Plinth connects to public addresses only.`,
  );
}

/**
 * Checks what can be known without DNS: a well-formed http(s) URL, https unless local, a port that
 * is not refused, and an IP literal host that is allowed. Returns the parsed URL with the host as
 * connections will see it.
 */
export function parseEndpointUrl(url: string, options: UrlGuardPolicy): URL {
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
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  if (options.refusedPorts?.includes(port)) {
    throw new UrlRefused('url_not_allowed', `Port ${port} belongs to one of Plinth's own services.`);
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
