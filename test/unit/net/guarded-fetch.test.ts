// The guarded fetch: every connection goes through the URL guard's lookup, so a host name that
// resolves to a private address is refused at connect time; on one machine loopback answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch } from '../../../libs/net/guarded-fetch.ts';
import { UrlRefused } from '../../../libs/net/url-guard.ts';

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('createGuardedFetch', () => {
  it('refuses a host whose address is private when it connects, whatever the URL says', async () => {
    const guarded = createGuardedFetch({
      local: false,
      resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    });
    const refused = await guarded(`https://idp.example.test:${port}/`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UrlRefused);
    expect((refused as UrlRefused).code).toBe('url_not_allowed');
  });

  it('refuses plain http unless on one machine', async () => {
    const guarded = createGuardedFetch({ local: false });
    await expect(guarded(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(UrlRefused);
  });

  it('on one machine, answers from loopback and does not follow redirects', async () => {
    const guarded = createGuardedFetch({ local: true });
    const res = await guarded(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'a=1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'POST' });
    const moved = await guarded(`http://127.0.0.1:${port}/moved`);
    expect(moved.status).toBe(302);
  });
});
