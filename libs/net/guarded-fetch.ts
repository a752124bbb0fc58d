// A fetch for requests to servers a tenant names (an OIDC provider's discovery, token and keys
// endpoints): each connection goes only to addresses the URL guard allows, checked at connect time so
// a DNS answer cannot change between the check and the request, with a deadline and a size cap.
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, parseEndpointUrl, type UrlGuardOptions } from './url-guard.ts';

export interface GuardedFetchOptions extends UrlGuardOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** Larger bodies fail the request. @default 1 MiB */
  maxBodyBytes?: number;
}

export interface GuardedRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams | Uint8Array | undefined;
  signal?: AbortSignal | null | undefined;
}

export type GuardedFetch = (url: string, init?: GuardedRequestInit) => Promise<Response>;

/** Redirects are not followed: the caller sees the 3xx, as with fetch's `redirect: 'manual'`. */
export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const lookup = guardedLookup(options);
  return (target, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      let url: URL;
      try {
        url = parseEndpointUrl(target, options);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const body = init.body === undefined || init.body instanceof Uint8Array ? init.body : String(init.body);
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(
        url,
        {
          method: init.method ?? 'GET',
          lookup,
          timeout: timeoutMs,
          headers: {
            ...init.headers,
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          },
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBodyBytes) {
              res.destroy();
              reject(new Error(`${url.origin} answered more than ${maxBodyBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
                headers.append(name, one);
              }
            }
            const status = res.statusCode ?? 500;
            const nullBody = status === 204 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${url.origin} did not answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
