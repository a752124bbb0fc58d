// The URL guard: which URLs and addresses outbound requests (webhooks, OIDC providers) may reach,
// with DNS answers given by the test.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  checkEndpointUrl,
  guardedLookup,
  isAllowedAddress,
  parseEndpointUrl,
  UrlRefused,
  type ResolvedAddress,
} from '../../../libs/net/url-guard.ts';

const aws = { local: false };
const local = { local: true };

function resolvesTo(...addresses: string[]) {
  return (hostname: string): Promise<ResolvedAddress[]> =>
    Promise.resolve(
      hostname === 'hooks.example.com'
        ? addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
        : [],
    );
}

async function refusal(promise: Promise<unknown>): Promise<UrlRefused> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UrlRefused) return error;
    throw error;
  }
  throw new Error('expected the URL to be refused');
}

/** The forms a connection may be given an IPv4 address in: by itself and inside IPv6. */
function ipv4Forms(address: string) {
  const octets = address.split('.').map(Number);
  const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
  const high = hex(octets[0]!, octets[1]!);
  const low = hex(octets[2]!, octets[3]!);
  return {
    dotted: address,
    mapped: `::ffff:${address}`,
    mappedHex: `::ffff:${high}:${low}`,
    mappedExpanded: `0000:0000:0000:0000:0000:FFFF:${high.toUpperCase()}:${low.toUpperCase()}`,
    nat64: `64:ff9b::${address}`,
    nat64Hex: `64:ff9b::${high}:${low}`,
    siit: `::ffff:0:${address}`,
    siitHex: `::ffff:0:${high}:${low}`,
    compatible: `::${address}`,
    sixToFour: `2002:${high}:${low}::1`,
  };
}

/** The spellings of an IPv4 literal that WHATWG URL parsing turns into it. */
function ipv4UrlHosts(address: string): string[] {
  const octets = address.split('.').map(Number);
  const value = octets.reduce((n, octet) => n * 256 + octet, 0);
  return [
    address,
    String(value),
    `0x${value.toString(16)}`,
    octets.map((octet) => `0${octet.toString(8)}`).join('.'),
    `[::ffff:${address}]`,
  ];
}

// Every block of the IANA IPv4 Special-Purpose Address Registry and multicast, an address inside it
// and, where its neighbour is public, the first public address outside it.
const ipv4Blocks: Array<[block: string, inside: string, outside?: string]> = [
  ['0.0.0.0/8', '0.255.255.255', '1.0.0.0'],
  ['10.0.0.0/8', '10.255.255.255', '11.0.0.0'],
  ['100.64.0.0/10', '100.64.0.0', '100.63.255.255'],
  ['100.64.0.0/10', '100.127.255.255', '100.128.0.0'],
  ['127.0.0.0/8', '127.255.255.254', '128.0.0.0'],
  ['169.254.0.0/16', '169.254.169.254', '169.255.0.0'],
  ['172.16.0.0/12', '172.16.0.0', '172.15.255.255'],
  ['172.16.0.0/12', '172.31.255.255', '172.32.0.0'],
  ['192.0.0.0/24', '192.0.0.255', '192.0.1.0'],
  ['192.0.0.0/29', '192.0.0.1'],
  ['192.0.0.8/32', '192.0.0.8'],
  ['192.0.0.9/32', '192.0.0.9'],
  ['192.0.0.10/32', '192.0.0.10'],
  ['192.0.0.170/32', '192.0.0.170'],
  ['192.0.0.171/32', '192.0.0.171'],
  ['192.0.2.0/24', '192.0.2.1', '192.0.3.0'],
  ['192.31.196.0/24', '192.31.196.1', '192.31.197.0'],
  ['192.52.193.0/24', '192.52.193.1', '192.52.194.0'],
  ['192.88.99.0/24', '192.88.99.1', '192.88.100.0'],
  ['192.168.0.0/16', '192.168.255.255', '192.169.0.0'],
  ['192.175.48.0/24', '192.175.48.1', '192.175.49.0'],
  ['198.18.0.0/15', '198.19.255.255', '198.20.0.0'],
  ['198.51.100.0/24', '198.51.100.1', '198.51.101.0'],
  ['203.0.113.0/24', '203.0.113.1', '203.0.114.0'],
  ['224.0.0.0/4', '224.0.0.0', '223.255.255.255'],
  ['224.0.0.0/4', '239.255.255.255'],
  ['240.0.0.0/4', '240.0.0.0'],
  ['255.255.255.255/32', '255.255.255.255'],
];

// Every block of the IANA IPv6 Special-Purpose Address Registry and the other non-global-unicast
// ranges, in more than one spelling, and the first public address after it where there is one.
const ipv6Blocks: Array<[block: string, inside: string[], outside?: string]> = [
  ['::1/128', ['::1', '0:0:0:0:0:0:0:1', '[::1]']],
  ['::/128', ['::', '0000:0000:0000:0000:0000:0000:0000:0000']],
  ['::ffff:0:0:0/96 (SIIT)', ['::ffff:0:a9fe:a9fe', '0:0:0:0:ffff:0:a9fe:a9fe', '::FFFF:0:169.254.169.254']],
  ['64:ff9b:1::/48', ['64:ff9b:1::808:808', '64:ff9b:1:ffff::1']],
  ['100::/64', ['100::1', '100::ffff:ffff:ffff:ffff']],
  ['100:0:0:1::/64', ['100:0:0:1::1']],
  ['2001::/23', ['2001::1', '2001:1ff:ffff::1'], '2001:200::1'],
  ['2001::/32 (Teredo)', ['2001:0:4136:e378:8000:63bf:3fff:fdd2']],
  ['2001:1::1/128 (PCP anycast)', ['2001:1::1']],
  ['2001:1::2/128 (TURN anycast)', ['2001:1::2']],
  ['2001:1::3/128 (DNS-SD anycast)', ['2001:1::3']],
  ['2001:2::/48 (benchmarking)', ['2001:2::1']],
  ['2001:3::/32 (AMT)', ['2001:3::1']],
  ['2001:4:112::/48 (AS112-v6)', ['2001:4:112::1']],
  ['2001:20::/28 (ORCHIDv2)', ['2001:20::1']],
  ['2001:30::/28 (Drone DET)', ['2001:30::1']],
  ['2001:db8::/32', ['2001:db8::1', '2001:DB8:FFFF::1'], '2001:db9::1'],
  ['2002::/16 (6to4)', ['2002:808:808::1', '2002:a9fe:a9fe::1'], '2003::1'],
  ['2620:4f:8000::/48', ['2620:4f:8000::1'], '2620:4f:8001::1'],
  ['3fff::/20', ['3fff::1', '3fff:fff:ffff::1'], '3fff:1000::1'],
  ['5f00::/16', ['5f00::1']],
  ['fc00::/7', ['fc00::1', 'fdff:ffff::1', 'fd00:ec2::254']],
  ['fe80::/10', ['fe80::1', 'febf::1', 'fe80::1%eth0', 'fe80::a9fe:a9fe%25']],
  ['fec0::/10', ['fec0::1', 'feff::1']],
  ['ff00::/8', ['ff02::1', 'ff0e::1']],
  ['outside 2000::/3, unallocated', ['4000::1', '1000::1']],
];

describe('isAllowedAddress', () => {
  describe.each(ipv4Blocks)('the IPv4 block %s', (_block, inside, outside) => {
    it(`refuses ${inside} in every form on AWS`, () => {
      const forms = ipv4Forms(inside);
      const allowed = Object.entries(forms).filter(([, form]) => isAllowedAddress(form, aws));
      expect(allowed).toEqual([]);
    });

    it(`refuses ${inside} in every URL spelling on AWS`, () => {
      for (const host of ipv4UrlHosts(inside)) {
        expect(() => parseEndpointUrl(`https://${host}/`, aws), host).toThrow(/non-public address/);
      }
    });

    if (outside) {
      it(`allows the public ${outside} by itself, IPv4-mapped and through NAT64, but not embedded otherwise`, () => {
        const forms = ipv4Forms(outside);
        const verdicts = Object.fromEntries(
          Object.entries(forms).map(([name, form]) => [name, isAllowedAddress(form, aws)]),
        );
        expect(verdicts).toEqual({
          dotted: true,
          mapped: true,
          mappedHex: true,
          mappedExpanded: true,
          nat64: true,
          nat64Hex: true,
          siit: false,
          siitHex: false,
          compatible: false,
          sixToFour: false,
        });
        expect(parseEndpointUrl(`https://${String(ipv4UrlHosts(outside)[1])}/`, aws).hostname).toBe(outside);
      });
    }
  });

  describe.each(ipv6Blocks)('the IPv6 block %s', (_block, inside, outside) => {
    it(`refuses ${inside.join(', ')} on AWS, as addresses and in URLs`, () => {
      const bare = inside.map((address) => address.replace(/^\[(.*)\]$/, '$1'));
      expect(bare.filter((address) => isAllowedAddress(address, aws))).toEqual([]);
      for (const address of bare.filter((a) => !a.includes('%'))) {
        expect(() => parseEndpointUrl(`https://[${address}]:8443/`, aws), address).toThrow(
          /non-public address/,
        );
      }
    });

    if (outside) {
      it(`allows the public ${outside} just outside it`, () => {
        expect(isAllowedAddress(outside, aws)).toBe(true);
        expect(() => parseEndpointUrl(`https://[${outside}]/`, aws)).not.toThrow();
      });
    }
  });

  it('refuses a zone id in a URL as malformed', () => {
    expect(() => parseEndpointUrl('https://[fe80::1%25eth0]/', aws)).toThrow(UrlRefused);
  });

  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.8.9.10', 'IPv4 loopback range'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.254', 'private 172.16/12 upper end'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.10.20', 'IPv4 link-local'],
    ['169.254.169.254', 'instance metadata'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT upper end'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local fd'],
    ['fd00:ec2::254', 'IPv6 instance metadata'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::10.0.0.1', 'NAT64 of a private address'],
    ['2002:c0a8:0101::1', '6to4 of a private address'],
    ['not-an-ip', 'not an address at all'],
  ])('refuses %s (%s) outside one machine', (address) => {
    expect(isAllowedAddress(address, aws)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(isAllowedAddress(address, aws)).toBe(true);
  });

  it('allows loopback and private addresses on one machine, where receivers run locally', () => {
    expect(['127.0.0.1', '::1', '10.0.0.5', '192.168.1.1'].map((a) => isAllowedAddress(a, local))).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('allows loopback and private IPv6 too on one machine, including IPv4-mapped loopback', () => {
    expect(['172.16.0.1', 'fd12:3456::1', '::ffff:127.0.0.1'].map((a) => isAllowedAddress(a, local))).toEqual(
      [true, true, true],
    );
  });

  it('refuses the metadata range on one machine in every encoding and every URL spelling', () => {
    const encodings = [
      ...Object.values(ipv4Forms('169.254.169.254')),
      ...Object.values(ipv4Forms('169.254.0.1')),
      'fd00:ec2::254',
      'fd00:ec2:0:0:0:0:0:254',
      'FD00:EC2::254',
    ];
    expect(encodings.filter((address) => isAllowedAddress(address, local))).toEqual([]);
    for (const host of [
      ...ipv4UrlHosts('169.254.169.254'),
      '[::ffff:0:a9fe:a9fe]',
      '[64:ff9b::a9fe:a9fe]',
      '[fd00:ec2::254]',
    ]) {
      expect(() => parseEndpointUrl(`http://${host}/latest/meta-data/`, local), host).toThrow(
        /non-public address/,
      );
    }
  });

  it('on one machine, loopback reached through a translator or tunnel is still refused', () => {
    const forms = ipv4Forms('127.0.0.1');
    expect(
      [forms.nat64, forms.siit, forms.compatible, forms.sixToFour].filter((a) => isAllowedAddress(a, local)),
    ).toEqual([]);
  });

  it('on one machine, the rest of the special-purpose space stays refused', () => {
    expect(
      [
        '100.64.0.1',
        '192.0.0.9',
        '198.18.0.1',
        '224.0.0.1',
        '0.0.0.0',
        '::',
        'fe80::1',
        '2001:db8::1',
      ].filter((a) => isAllowedAddress(a, local)),
    ).toEqual([]);
  });
});

describe('parseEndpointUrl', () => {
  it('refuses http outside one machine and allows it on one machine', () => {
    expect(() => parseEndpointUrl('http://hooks.example.com/in', aws)).toThrow(/must use https/);
    expect(parseEndpointUrl('http://localhost:4000/in', local).hostname).toBe('localhost');
  });

  it('refuses schemes other than http and https everywhere', () => {
    expect(() => parseEndpointUrl('ftp://hooks.example.com/', local)).toThrow(UrlRefused);
    expect(() => parseEndpointUrl('file:///etc/passwd', local)).toThrow(UrlRefused);
  });

  it('refuses IP literal hosts in any spelling that names a private address', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://2130706433/',
      'https://0x7f.0.0.1/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::1]:8443/',
      'https://169.254.169.254/latest/meta-data/',
    ]) {
      expect(() => parseEndpointUrl(url, aws), url).toThrow(/non-public address/);
    }
  });

  it("on one machine, refuses the ports of Plinth's own services whatever the host", () => {
    const policy = { local: true, refusedPorts: [4000, 8000, 80] };
    for (const url of [
      'http://127.0.0.1:8000/',
      'http://localhost:4000/in',
      'http://[::1]:8000/',
      'http://192.168.1.5:8000/',
      'http://receiver.test/',
      'https://receiver.test:80/',
    ]) {
      expect(() => parseEndpointUrl(url, policy), url).toThrow(
        /Port \d+ belongs to one of Plinth's own services/,
      );
    }
    expect(parseEndpointUrl('http://127.0.0.1:8001/', policy).port).toBe('8001');
    expect(parseEndpointUrl('https://receiver.test/', policy).port).toBe('');
  });

  it('refuses a malformed URL with url_invalid', () => {
    let caught: unknown;
    try {
      parseEndpointUrl('not a url', aws);
    } catch (error) {
      caught = error;
    }
    expect((caught as UrlRefused).code).toBe('url_invalid');
  });
});

describe('checkEndpointUrl', () => {
  it('allows an https URL whose host resolves only to public addresses', async () => {
    await expect(
      checkEndpointUrl('https://hooks.example.com/in', {
        ...aws,
        resolve: resolvesTo('93.184.216.34', '2606:2800:220:1::1'),
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses a host with any private address among its answers, naming host and address', async () => {
    const refused = await refusal(
      checkEndpointUrl('https://hooks.example.com/in', {
        ...aws,
        resolve: resolvesTo('93.184.216.34', '10.0.0.7'),
      }),
    );

    expect(refused.code).toBe('url_not_allowed');
    expect(refused.message).toContain('hooks.example.com (10.0.0.7)');
  });

  it('refuses a host that resolves to an IPv4-mapped loopback address', async () => {
    const refused = await refusal(
      checkEndpointUrl('https://hooks.example.com/', { ...aws, resolve: resolvesTo('::ffff:127.0.0.1') }),
    );
    expect(refused.code).toBe('url_not_allowed');
  });

  it('refuses a host that does not resolve with url_unresolvable', async () => {
    const failing = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));

    const refused = await refusal(checkEndpointUrl('https://nowhere.example/', { ...aws, resolve: failing }));

    expect(refused.code).toBe('url_unresolvable');
    expect(refused.message).toBe('The host nowhere.example could not be resolved.');
  });

  it('allows a localhost receiver over http on one machine', async () => {
    await expect(
      checkEndpointUrl('http://localhost:4000/in', {
        ...local,
        resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
      }),
    ).resolves.toBeUndefined();
  });

  it("refuses a local receiver on a port of Plinth's own services with url_not_allowed", async () => {
    const refused = await refusal(
      checkEndpointUrl('http://localhost:8000/in', {
        ...local,
        refusedPorts: [8000],
        resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
      }),
    );
    expect(refused.code).toBe('url_not_allowed');
  });

  it('needs no DNS for a public IP literal', async () => {
    const resolve = () => Promise.reject(new Error('must not be called'));
    await expect(checkEndpointUrl('https://93.184.216.34/in', { ...aws, resolve })).resolves.toBeUndefined();
  });
});

describe('guardedLookup', () => {
  function lookupWith(
    lookupOptions: LookupOptions,
    resolve: (hostname: string) => Promise<ResolvedAddress[]>,
    options = aws,
  ) {
    return new Promise<{
      error: NodeJS.ErrnoException | null;
      address: string | LookupAddress[];
      family?: number;
    }>((done) => {
      guardedLookup({ ...options, resolve })('hooks.example.com', lookupOptions, (error, address, family) =>
        done({ error, address, family }),
      );
    });
  }

  it('answers the checked addresses the way net.connect asks for them', async () => {
    const resolve = resolvesTo('93.184.216.34', '2606:2800:220:1::1');

    const all = await lookupWith({ all: true }, resolve);
    const one = await lookupWith({ family: 6 }, resolve);

    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    expect([one.error, one.address, one.family]).toEqual([null, '2606:2800:220:1::1', 6]);
  });

  it('fails the connection when the name now resolves to a private address (DNS rebinding)', async () => {
    const result = await lookupWith({ all: true }, resolvesTo('169.254.169.254'));

    expect(result.error).toBeInstanceOf(UrlRefused);
    expect((result.error as UrlRefused).code).toBe('url_not_allowed');
  });

  it('passes DNS failures through as they are, so delivery treats them as network errors', async () => {
    const dnsError = Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });

    const result = await lookupWith({}, () => Promise.reject(dnsError));

    expect(result.error).toBe(dnsError);
  });

  it('lets a localhost receiver through on one machine', async () => {
    const result = await lookupWith({}, resolvesTo('127.0.0.1'), local);
    expect([result.error, result.address]).toEqual([null, '127.0.0.1']);
  });
});
