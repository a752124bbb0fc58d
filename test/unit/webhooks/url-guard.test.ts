// The SSRF guard: which URLs and addresses webhooks may reach, with DNS answers given by the test.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  checkEndpointUrl,
  guardedLookup,
  isAllowedAddress,
  parseEndpointUrl,
  UrlRefused,
  type ResolvedAddress,
} from '../../../functions/webhooks/url-guard.ts';

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

describe('isAllowedAddress', () => {
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

  it('refuses the metadata addresses even on one machine', () => {
    expect([isAllowedAddress('169.254.169.254', local), isAllowedAddress('fd00:ec2::254', local)]).toEqual([
      false,
      false,
    ]);
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
