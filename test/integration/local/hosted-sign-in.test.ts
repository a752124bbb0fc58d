// The local user pool's hosted sign-in over real HTTP, driven as a browser and an app would: the
// authorization code + PKCE flow of Cognito's managed login, checked against the shapes Cognito's
// endpoint documentation gives (redirects, token response, error codes) and RFC 7636's own example.
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { localConsoleOrigin } from '../../../infra/console-client.ts';
import { pkceMatches } from '../../../infra/local/identity/hosted-ui.ts';
import { startLocalIdentity, type LocalIdentity } from '../../../infra/local/identity/index.ts';
import { silentLog } from '../../../infra/local/log.ts';
import {
  Browser,
  exchange as exchangeAt,
  formOf,
  pkce,
  redirectParams,
} from '../../support/hosted-sign-in.ts';
import { createConfirmedUser } from '../../support/pool-users.ts';
import { Authenticator } from '../../support/sign-in.ts';

const region = 'us-east-1';
const password = 'Correct-horse-9';
const dir = mkdtempSync(join(tmpdir(), 'plinth-hosted-'));
const callback = localConsoleOrigin;
let identity: LocalIdentity;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  identity = await startLocalIdentity({
    stateFile: join(dir, 'identity.json'),
    region,
    invokeTrigger: () => undefined,
    log: silentLog,
  });
  cognito = new CognitoIdentityProviderClient({
    endpoint: identity.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  cognito?.destroy();
  await identity?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let users = 0;
async function createUser(): Promise<string> {
  const email = `hosted${++users}@example.com`;
  await createConfirmedUser(cognito, identity.userPoolId, { email, password, tenantId: 'ten_1' });
  return email;
}

function authorizeUrl(params: Record<string, string | undefined>): string {
  const url = new URL(`${identity.hostedUrl}/oauth2/authorize`);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

function consoleAuthorize(challenge: string, extra: Record<string, string | undefined> = {}): string {
  return authorizeUrl({
    response_type: 'code',
    client_id: identity.clientIds.console,
    redirect_uri: callback,
    state: 'st-123',
    scope: 'openid email aws.cognito.signin.user.admin',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce: 'n-456',
    ...extra,
  });
}

const exchange = (form: Record<string, string>) => exchangeAt(identity.hostedUrl, form);
const newBrowser = () => new Browser(identity.hostedUrl);

const claimsOf = (jwt: unknown) =>
  JSON.parse(Buffer.from(String(jwt).split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

/** Authorize, sign in on the page, and come back with a code. */
async function signInForCode(browser: Browser, email: string, challenge: string): Promise<string> {
  const page = await browser.get(consoleAuthorize(challenge));
  expect(page.status).toBe(200);
  const back = await browser.post('/login', { ...(await formOf(page)), username: email, password });
  const params = redirectParams(back);
  expect(params.get('state')).toBe('st-123');
  return params.get('code')!;
}

describe('PKCE', () => {
  it("accepts RFC 7636 Appendix B's verifier for its challenge, and nothing else", () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    expect(pkceMatches(verifier, challenge)).toBe(true);
    expect(pkceMatches(`${verifier.slice(0, -1)}j`, challenge)).toBe(false);
    expect(pkceMatches('short', createHash('sha256').update('short').digest('base64url'))).toBe(false);
  });
});

describe('the authorization code flow', () => {
  it('signs in on the page, redirects back with code and state, and exchanges the code once', async () => {
    const email = await createUser();
    const browser = newBrowser();
    const { verifier, challenge } = pkce();
    const code = await signInForCode(browser, email, challenge);

    const form = {
      grant_type: 'authorization_code',
      client_id: identity.clientIds.console,
      code,
      code_verifier: verifier,
      redirect_uri: callback,
    };
    const tokens = await exchange(form);
    expect(tokens.status).toBe(200);
    expect(Object.keys(tokens.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'token_type',
    ]);
    expect([tokens.body.token_type, tokens.body.expires_in]).toEqual(['Bearer', 3600]);

    // The tokens verify as Cognito's do, with the scopes asked for and the nonce in the id token.
    const verifier2 = CognitoJwtVerifier.create({
      userPoolId: identity.userPoolId,
      tokenUse: 'access',
      clientId: identity.clientIds.console,
    });
    verifier2.cacheJwks(
      (await (await fetch(identity.jwksUrl)).json()) as Parameters<typeof verifier2.cacheJwks>[0],
    );
    const access = await verifier2.verify(String(tokens.body.access_token));
    expect(access.scope).toBe('openid email aws.cognito.signin.user.admin');
    expect(claimsOf(tokens.body.id_token)).toMatchObject({
      nonce: 'n-456',
      email,
      aud: identity.clientIds.console,
    });

    const again = await exchange(form);
    expect([again.status, again.body]).toEqual([400, { error: 'invalid_grant' }]);
  });

  it('refuses the code with a wrong verifier, another redirect URI or another client', async () => {
    const email = await createUser();
    const { verifier, challenge } = pkce();
    const base = {
      grant_type: 'authorization_code',
      client_id: identity.clientIds.console,
      redirect_uri: callback,
    };

    const wrongVerifier = await exchange({
      ...base,
      code: await signInForCode(newBrowser(), email, challenge),
      code_verifier: pkce().verifier,
    });
    expect([wrongVerifier.status, wrongVerifier.body.error]).toEqual([400, 'invalid_grant']);

    const wrongRedirect = await exchange({
      ...base,
      code: await signInForCode(newBrowser(), email, challenge),
      code_verifier: verifier,
      redirect_uri: 'http://localhost:5173/other',
    });
    expect(wrongRedirect.body.error).toBe('invalid_grant');

    const otherClient = await exchange({
      ...base,
      client_id: identity.clientIds.firstParty,
      code: await signInForCode(newBrowser(), email, challenge),
      code_verifier: verifier,
    });
    expect(otherClient.body.error).toBe('invalid_client');

    expect((await exchange({ ...base, grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
  });

  it('refreshes through the token endpoint, and userInfo answers the user with an openid token', async () => {
    const email = await createUser();
    const { verifier, challenge } = pkce();
    const code = await signInForCode(newBrowser(), email, challenge);
    const tokens = await exchange({
      grant_type: 'authorization_code',
      client_id: identity.clientIds.console,
      code,
      code_verifier: verifier,
      redirect_uri: callback,
    });

    const refreshed = await exchange({
      grant_type: 'refresh_token',
      client_id: identity.clientIds.console,
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    expect(claimsOf(refreshed.body.access_token).scope).toBe('openid email aws.cognito.signin.user.admin');

    const info = await fetch(`${identity.hostedUrl}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${String(refreshed.body.access_token)}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ email, email_verified: 'true', 'custom:tenant_id': 'ten_1' });

    const revoked = await fetch(`${identity.hostedUrl}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: String(tokens.body.refresh_token),
        client_id: identity.clientIds.console,
      }),
    });
    expect(revoked.status).toBe(200);
    const afterRevoke = await fetch(`${identity.hostedUrl}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${String(refreshed.body.access_token)}` },
    });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('userInfo refuses an access token without the openid scope', async () => {
    const email = await createUser();
    const signedIn = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: identity.clientIds.firstParty,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const info = await fetch(`${identity.hostedUrl}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${signedIn.AuthenticationResult!.AccessToken!}` },
    });
    expect(info.status).toBe(401);
  });
});

describe('the sign-in cookie and sign-out', () => {
  it('signs the browser in again without the page, until it signs out or asks prompt=login', async () => {
    const email = await createUser();
    const browser = newBrowser();
    await signInForCode(browser, email, pkce().challenge);

    const silent = await browser.get(consoleAuthorize(pkce().challenge));
    expect(redirectParams(silent).get('code')).toBeTruthy();

    const forced = await browser.get(consoleAuthorize(pkce().challenge, { prompt: 'login' }));
    expect(forced.status).toBe(200);

    const out = await browser.get(
      `${identity.hostedUrl}/logout?client_id=${identity.clientIds.console}&logout_uri=${encodeURIComponent(callback)}`,
    );
    expect([out.status, out.headers.get('location')]).toEqual([302, callback]);
    const afterOut = await browser.get(consoleAuthorize(pkce().challenge));
    expect(afterOut.status).toBe(200);
  });

  it('refuses a sign-out URL the client does not list', async () => {
    const out = await newBrowser().get(
      `${identity.hostedUrl}/logout?client_id=${identity.clientIds.console}&logout_uri=${encodeURIComponent('https://evil.example')}`,
    );
    expect(out.headers.get('location')).toMatch(/^\/error\?error=redirect_mismatch/);
  });
});

describe('bad requests', () => {
  it('sends a redirect URI mismatch, an unknown client or a non-OAuth client to the error page', async () => {
    const { challenge } = pkce();
    for (const extra of [
      { redirect_uri: 'https://evil.example/callback' },
      { client_id: 'no-such-client' },
      { client_id: identity.clientIds.firstParty },
    ]) {
      const res = await newBrowser().get(consoleAuthorize(challenge, extra));
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/^\/error\?error=redirect_mismatch/);
    }
    const errorPage = await fetch(`${identity.hostedUrl}/error?error=redirect_mismatch`);
    expect(errorPage.status).toBe(400);
  });

  it.each([
    [{ response_type: 'token' }, 'unauthorized_client'],
    [{ response_type: 'id_token' }, 'unsupported_response_type'],
    [{ scope: 'openid phone' }, 'invalid_scope'],
    [{ code_challenge: undefined }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
  ])('redirects %j back to the app with error=%s and the state', async (extra, error) => {
    const res = await newBrowser().get(consoleAuthorize(pkce().challenge, extra));
    const params = redirectParams(res);
    expect([params.get('error'), params.get('state')]).toEqual([error, 'st-123']);
    expect(params.get('code')).toBeNull();
  });

  it('shows the page again on a wrong password, and refuses a form without its CSRF token', async () => {
    const email = await createUser();
    const browser = newBrowser();
    const page = await browser.get(consoleAuthorize(pkce().challenge));
    const form = await formOf(page);

    const wrong = await browser.post('/login', { ...form, username: email, password: 'Wrong-horse-9' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Incorrect username or password.');

    const forged = await browser.post('/login', { ...form, csrf: 'forged', username: email, password });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('expired or was not opened here');
  });
});

describe('MFA', () => {
  it('asks an enrolled user for a TOTP code before redirecting with the code', async () => {
    const email = await createUser();
    const api = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: identity.clientIds.firstParty,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const accessToken = api.AuthenticationResult!.AccessToken!;
    const { SecretCode } = await cognito.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    const authenticator = new Authenticator(SecretCode!);
    await cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: await authenticator.nextCode() }),
    );
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );

    const browser = newBrowser();
    const page = await browser.get(consoleAuthorize(pkce().challenge));
    const mfaPage = await browser.post('/login', { ...(await formOf(page)), username: email, password });
    expect(mfaPage.status).toBe(200);
    const mfaForm = await formOf(mfaPage);
    expect(mfaForm.session).toBeTruthy();

    const wrong = await browser.post('/login/mfa', { ...mfaForm, code: '000000' });
    expect(wrong.status).toBe(400);
    const done = await browser.post('/login/mfa', {
      ...(await formOf(wrong)),
      code: await authenticator.nextCode(),
    });
    expect(redirectParams(done).get('code')).toBeTruthy();
  });
});
