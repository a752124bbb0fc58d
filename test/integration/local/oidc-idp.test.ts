// The local OpenID Connect provider over real HTTP, driven by openid-client as Plinth's side: its
// discovery document, the authorization code flow with PKCE signed in through its page with a cookie
// jar, the ID token checked against its JWKS, the MFA sign-in's amr, and what it refuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { startLocalOidcServer, type LocalOidcServer } from '../../../infra/local/idps/oidc-server.ts';
import {
  authorizationRequest,
  CookieBrowser,
  discoverProvider,
  idTokenVerifier,
  signInAction,
  signInAtProvider,
  signInForTokens,
  type ClientAuth,
} from '../../support/oidc-sign-in.ts';

const dir = mkdtempSync(join(tmpdir(), 'plinth-oidc-idp-'));
const stateFile = join(dir, 'oidc-idp.json');
const redirectUri = 'http://127.0.0.1:4000/v1/sso/oidc/con_01LOCAL/callback';
let idp: LocalOidcServer;

beforeAll(async () => {
  idp = await startLocalOidcServer({ stateFile });
});

afterAll(async () => {
  await idp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const authorization = (config: oidc.Configuration, extra?: Record<string, string>) =>
  authorizationRequest(config, redirectUri, extra);
const signIn = (
  server: LocalOidcServer,
  form: { email: string; password: string; code?: string },
  auth?: ClientAuth,
) => signInForTokens(server, redirectUri, form, auth);

const ada = { email: 'ada@acme.test', password: 'Oidc-Test-1' };
const bob = { email: 'bob@acme.test', password: 'Oidc-Test-1' };

describe('the local OIDC provider', () => {
  it('publishes a discovery document for its issuer with code + PKCE (S256), userinfo, JWKS and end_session', async () => {
    const res = await fetch(idp.discoveryUrl);
    expect(res.status).toBe(200);
    const document = (await res.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.url}/auth`,
      token_endpoint: `${idp.url}/token`,
      userinfo_endpoint: `${idp.url}/me`,
      jwks_uri: idp.jwksUrl,
      end_session_endpoint: `${idp.url}/session/end`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(document.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'email', 'profile', 'groups']),
    );
    expect(document.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs ada in with code + PKCE; the ID token verifies against the JWKS and carries email, name, groups, nonce and amr', async () => {
    const { tokens, request } = await signIn(idp, ada);
    const payload = await (await idTokenVerifier(idp)).verify(tokens.id_token!);
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: idp.client.clientId,
      sub: 'usr-ada',
      email: 'ada@acme.test',
      email_verified: true,
      name: 'Ada Lovelace',
      groups: ['engineering', 'admins'],
      nonce: request.nonce,
      amr: ['pwd'],
    });
  });

  it('answers userinfo for the access token, with client_secret_post at the token endpoint', async () => {
    const { config, tokens } = await signIn(idp, bob, 'client_secret_post');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'usr-bob');
    expect(info).toMatchObject({ email: 'bob@acme.test', name: 'Bob Babbage', groups: ['engineering'] });
  });

  it("puts 'otp' in amr only when the test one-time code is given, and refuses a wrong code", async () => {
    const { tokens } = await signIn(idp, { ...bob, code: idp.oneTimeCode });
    expect(tokens.claims()?.amr).toEqual(['pwd', 'otp']);

    const config = await discoverProvider(idp);
    const browser = new CookieBrowser();
    const page = await browser.follow(await browser.get((await authorization(config)).url), redirectUri);
    const wrong = await browser.post(await signInAction(page), { ...bob, code: '000000' });
    expect(wrong.status).toBe(401);
  });

  it('refuses a wrong password on its page and stays on it', async () => {
    const config = await discoverProvider(idp);
    const browser = new CookieBrowser();
    const page = await browser.follow(await browser.get((await authorization(config)).url), redirectUri);
    const action = await signInAction(page);
    const wrong = await browser.post(action, { ...ada, password: 'wrong', code: '' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong email or password.');
  });

  it("answers a sign-in posted without the interaction's cookie as expired, not signed in", async () => {
    const config = await discoverProvider(idp);
    const browser = new CookieBrowser();
    const page = await browser.follow(await browser.get((await authorization(config)).url), redirectUri);
    const elsewhere = await new CookieBrowser().post(await signInAction(page), { ...ada, code: '' });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('Sign-in expired');
  });

  it('accepts any loopback redirect URI and refuses one off loopback or with a fragment, without redirecting to it', async () => {
    const config = await discoverProvider(idp);
    const elsewhere = await authorization(config, { redirect_uri: 'http://localhost:5173/any/path' });
    const accepted = await new CookieBrowser().get(elsewhere.url);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toMatch(/^\/interaction\//);

    for (const uri of [
      'https://evil.example/callback',
      'http://127.0.0.1.evil.example/callback',
      'http://127.0.0.1:4000/callback#fragment',
    ]) {
      const off = await authorization(config, { redirect_uri: uri });
      const refused = await new CookieBrowser().get(off.url);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('location')).toBeNull();
      expect(await refused.text()).toContain('redirect_uri did not match any of the client');
    }
  });

  it('holds a client registered with its redirect URIs to exactly those, as a real IdP does', async () => {
    const registered = 'http://127.0.0.1:4000/v1/sso/oidc/con_01STRICT/callback';
    const strict = await startLocalOidcServer({
      client: { clientId: 'strict', clientSecret: 'strict-secret', redirectUris: [registered] },
    });
    try {
      const config = await discoverProvider(strict);
      const exact = await authorizationRequest(config, registered);
      expect((await new CookieBrowser().get(exact.url)).status).toBe(303);
      const other = await authorizationRequest(config, 'http://127.0.0.1:4000/v1/sso/oidc/other/callback');
      expect((await new CookieBrowser().get(other.url)).status).toBe(400);
    } finally {
      await strict.stop();
    }
  });

  it('refuses an authorization request without a PKCE challenge, answering at the redirect URI', async () => {
    const config = await discoverProvider(idp);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'st-no-pkce',
      nonce: oidc.randomNonce(),
    });
    const res = await new CookieBrowser().get(url.toString());
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect([back.searchParams.get('error'), back.searchParams.get('state')]).toEqual([
      'invalid_request',
      'st-no-pkce',
    ]);
  });

  it('answers access_denied with the state when the user cancels on its page', async () => {
    const config = await discoverProvider(idp);
    const request = await authorization(config);
    const browser = new CookieBrowser();
    const page = await browser.follow(await browser.get(request.url), redirectUri);
    const cancel = (await signInAction(page)).replace(/\/login$/, '/abort');
    const back = await browser.follow(await browser.post(cancel, {}), redirectUri);
    const params = new URL(back.headers.get('location')!).searchParams;
    expect([params.get('error'), params.get('state')]).toEqual(['access_denied', request.state]);
  });

  it('asks for consent with one form post when the client sends prompt=consent', async () => {
    const config = await discoverProvider(idp);
    const browser = new CookieBrowser();
    const first = await authorization(config);
    expect((await signInAtProvider(browser, first.url, redirectUri, ada)).status).toBe(303);

    const request = await authorization(config, { prompt: 'consent' });
    const page = await browser.follow(await browser.get(request.url), redirectUri);
    const html = await page.text();
    expect(html).toContain('asks for: openid email profile groups.');
    const allow = new URL(/<form method="post" action="([^"]+\/consent)">/.exec(html)![1]!, page.url);
    const back = await browser.follow(await browser.post(allow.toString(), {}), redirectUri);
    const params = new URL(back.headers.get('location')!).searchParams;
    expect(params.get('code')).toBeTruthy();
    expect(params.get('state')).toBe(request.state);
  });

  it('grants nothing on the consent step before the user has signed in', async () => {
    const config = await discoverProvider(idp);
    const browser = new CookieBrowser();
    const page = await browser.follow(await browser.get((await authorization(config)).url), redirectUri);
    const consent = (await signInAction(page)).replace(/\/login$/, '/consent');
    expect((await browser.post(consent, {})).status).toBe(400);
  });

  it('returns the state unchanged, and the token endpoint refuses the code without its PKCE verifier', async () => {
    const config = await discoverProvider(idp);
    const request = await authorization(config, { state: 'state with spaces & symbols/=?' });
    const back = await signInAtProvider(new CookieBrowser(), request.url, redirectUri, ada);
    const callback = new URL(back.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe('state with spaces & symbols/=?');

    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: 'state with spaces & symbols/=?',
        expectedNonce: request.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('ends the session at end_session and returns to a loopback post_logout_redirect_uri', async () => {
    const config = await discoverProvider(idp);
    const request = await authorization(config);
    const browser = new CookieBrowser();
    const back = await signInAtProvider(browser, request.url, redirectUri, ada);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.headers.get('location')!), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://localhost:4000/signed-out',
    });
    const confirm = await browser.get(logout.toString());
    expect(confirm.status).toBe(200);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await confirm.text())![1]!;
    const done = await browser.post(`${idp.url}/session/end/confirm`, { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://localhost:4000/signed-out');

    // Signed out: the next authorization asks for the password again.
    const again = await browser.follow(await browser.get((await authorization(config)).url), redirectUri);
    expect(again.status).toBe(200);
    expect(await signInAction(again)).toContain('/login');
  });

  it('keeps its signing keys across a restart, so tokens issued before it still verify', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'plinth-oidc-restart-'));
    const file = join(stateDir, 'oidc-idp.json');
    const first = await startLocalOidcServer({ stateFile: file });
    const { tokens } = await signIn(first, ada);
    const jwks: unknown = await (await fetch(first.jwksUrl)).json();
    await first.stop();
    // fetch's pool drops a kept-alive socket when it closes, a loop turn after the server ended it.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    const second = await startLocalOidcServer({ stateFile: file, port: Number(new URL(first.url).port) });
    try {
      expect(second.issuer).toBe(first.issuer);
      expect(await (await fetch(second.jwksUrl)).json()).toEqual(jwks);
      await expect((await idTokenVerifier(second)).verify(tokens.id_token!)).resolves.toMatchObject({
        sub: 'usr-ada',
      });
      // Keys belong to the state file: another one's provider signs with others.
      expect(await (await fetch(idp.jwksUrl)).json()).not.toEqual(jwks);
    } finally {
      await second.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
