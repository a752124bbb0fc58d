// Signing in at the local OpenID Connect provider as a browser and Plinth would: a cookie jar that
// keeps each cookie under its path, redirects followed one at a time and stopped at the relying
// party's redirect URI, the sign-in page's form posted, and openid-client on the relying party's side.
import { JwtVerifier } from 'aws-jwt-verify';
import * as oidc from 'openid-client';
import { expect } from 'vitest';

/** A browser's cookies and redirects, without the browser. */
export class CookieBrowser {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Response> {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /**
   * Follows the redirects from `res` until one leaves for `stopAt` (the relying party, which this
   * browser does not call) or a page answers; returns that last response.
   */
  async follow(res: Response, stopAt: string): Promise<Response> {
    let current = res;
    for (let hops = 0; hops < 10; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) return current;
      const next = new URL(location, current.url).toString();
      if (next.startsWith(stopAt)) return current;
      current = await this.get(next);
    }
    throw new Error('more than 10 redirects');
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const { pathname } = new URL(url);
    const cookie = [...this.cookies.values()]
      .filter((c) => pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) this.remember(line);
    // Response.url is empty for a manual redirect's response in some runtimes; keep it for follow().
    Object.defineProperty(res, 'url', { value: url });
    return res;
  }

  private remember(line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const at = pair!.indexOf('=');
    const name = pair!.slice(0, at);
    const value = pair!.slice(at + 1);
    const attribute = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const path = attribute('path') ?? '/';
    const expires = attribute('expires');
    const key = `${name} ${path}`;
    if (value === '' || (expires !== undefined && Date.parse(expires) <= Date.now()))
      this.cookies.delete(key);
    else this.cookies.set(key, { name, value, path });
  }
}

/** The action of the page's sign-in form, made absolute. */
export async function signInAction(page: Response): Promise<string> {
  const html = await page.text();
  const action = /<form method="post" action="([^"]+\/login)">/.exec(html)?.[1];
  if (!action) throw new Error(`no sign-in form on the page (${page.status}): ${html.slice(0, 300)}`);
  return new URL(action.replaceAll('&amp;', '&'), page.url).toString();
}

/**
 * Opens `authorizeUrl`, signs in on the provider's page with `form` and follows the redirects:
 * the result is the response that sends the browser to `redirectUri` (or the page it stopped on).
 */
export async function signInAtProvider(
  browser: CookieBrowser,
  authorizeUrl: string,
  redirectUri: string,
  form: { email: string; password: string; code?: string },
): Promise<Response> {
  const page = await browser.follow(await browser.get(authorizeUrl), redirectUri);
  const posted = await browser.post(await signInAction(page), { code: '', ...form });
  return browser.follow(posted, redirectUri);
}

export interface OidcProvider {
  issuer: string;
  jwksUrl: string;
  client: { clientId: string; clientSecret: string };
}

export type ClientAuth = 'client_secret_basic' | 'client_secret_post';

/** The relying party's configuration from the provider's discovery document (http: it is local). */
export function discoverProvider(provider: OidcProvider, auth: ClientAuth = 'client_secret_basic') {
  const { clientId, clientSecret } = provider.client;
  return oidc.discovery(
    new URL(provider.issuer),
    clientId,
    undefined,
    auth === 'client_secret_basic'
      ? oidc.ClientSecretBasic(clientSecret)
      : oidc.ClientSecretPost(clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
}

/** A verifier of the provider's ID tokens, with the JWKS it serves now. */
export async function idTokenVerifier(provider: OidcProvider) {
  const verifier = JwtVerifier.create({
    issuer: provider.issuer,
    audience: provider.client.clientId,
    jwksUri: provider.jwksUrl,
  });
  verifier.cacheJwks(
    (await (await fetch(provider.jwksUrl)).json()) as Parameters<typeof verifier.cacheJwks>[0],
  );
  return verifier;
}

/** An authorization request as Plinth's connection makes it: PKCE (S256), state and nonce. */
export async function authorizationRequest(
  config: oidc.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile groups',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url: url.toString(), verifier, state, nonce };
}

/** Signs in on a fresh browser and exchanges the code, checking state and nonce as Plinth will. */
export async function signInForTokens(
  provider: OidcProvider,
  redirectUri: string,
  form: { email: string; password: string; code?: string },
  auth: ClientAuth = 'client_secret_basic',
) {
  const config = await discoverProvider(provider, auth);
  const request = await authorizationRequest(config, redirectUri);
  const back = await signInAtProvider(new CookieBrowser(), request.url, redirectUri, form);
  expect(back.status).toBe(303);
  const callback = new URL(back.headers.get('location')!);
  expect(callback.searchParams.get('state')).toBe(request.state);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { config, tokens, request };
}
