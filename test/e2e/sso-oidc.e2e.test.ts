// OIDC sign-in through `npm start`'s runtime, as a browser drives it (a cookie jar, redirects one at
// a time): a tenant verifies its domain and connects the local OpenID provider; a new employee starts
// at Plinth with their email, signs in at the provider, and comes back to the app with a code the
// local user pool's custom authentication turns into tokens; the API knows them with the role their
// groups map to; with MFA required, only a sign-in whose `amr` names a second factor gets in.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { tenantPermissions } from '../../libs/auth/permissions.ts';
import { createApi } from '../support/http.ts';
import { CookieBrowser, signInAtProvider } from '../support/oidc-sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-oidc-'));
const appCallback = 'http://localhost:5173/sso/callback';
let runtime: Runtime;
let api: ReturnType<typeof createApi>;
let admin: string;
let connectionId: string;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  api = createApi(runtime.apiUrl);
  const tenant = await api('POST', '/v1/platform/tenants', {
    token: runtime.adminApiKey,
    body: { name: 'Acme', slug: 'acme-oidc', plan: 'starter', region: 'us-east-1' },
  });
  const key = await api('POST', `/v1/platform/tenants/${tenant.body.id as string}/api-keys`, {
    token: runtime.adminApiKey,
    body: { name: 'it', scopes: [...tenantPermissions] },
  });
  admin = key.body.secret as string;
  const claim = await api('POST', '/v1/domains', { token: admin, body: { domain: 'acme.test' } });
  const record = claim.body.verification as { name: string; value: string };
  writeFileSync(join(dataDir, 'dns-records.json'), JSON.stringify({ [record.name]: [record.value] }));
  expect((await api('POST', '/v1/domains/acme.test/verify', { token: admin })).status).toBe(200);
  const connection = await api('POST', '/v1/sso/connections', {
    token: admin,
    body: {
      type: 'oidc',
      name: 'Acme OIDC',
      oidc: {
        issuer: runtime.oidcIdp.issuer,
        clientId: runtime.oidcIdp.client.clientId,
        clientSecret: runtime.oidcIdp.client.clientSecret,
        scopes: ['openid', 'email', 'profile', 'groups'],
      },
      roleMapping: [{ group: 'admins', roles: ['admin'] }],
    },
  });
  expect(connection.status, JSON.stringify(connection.body)).toBe(201);
  connectionId = connection.body.id as string;
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** From the app's start to the app's callback, through the provider's sign-in page. */
async function signIn(person: { email: string; password: string; code?: string }) {
  const verifier = randomBytes(32).toString('base64url');
  const start = new URL(`${runtime.apiUrl}/v1/sso/authorize`);
  start.search = new URLSearchParams({
    email: person.email,
    redirect_uri: appCallback,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'st-1',
  }).toString();
  const browser = new CookieBrowser();
  const callback = `${runtime.apiUrl}/v1/sso/oidc/${connectionId}/callback`;
  const toPlinth = await signInAtProvider(browser, start.toString(), callback, person);
  const back = await browser.get(new URL(toPlinth.headers.get('location')!, toPlinth.url).toString());
  expect(back.status).toBe(302);
  const landed = new URL(back.headers.get('location')!);
  return { landed, verifier };
}

const redeem = (landed: URL, verifier: string) =>
  api('POST', '/v1/sso/token', {
    body: {
      grant_type: 'authorization_code',
      code: landed.searchParams.get('code'),
      code_verifier: verifier,
    },
  });

describe('OIDC sign-in on one machine', () => {
  it('a new employee signs in at the provider, is provisioned with the mapped role, and calls the API', async () => {
    const ada = runtime.oidcIdp.users.find((u) => u.groups.includes('admins'))!;
    const { landed, verifier } = await signIn({ email: ada.email, password: ada.password });
    expect(landed.origin + landed.pathname).toBe(appCallback);
    expect(landed.searchParams.get('state')).toBe('st-1');
    const tokens = await redeem(landed, verifier);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const me = await api('GET', '/v1/me', { token: tokens.body.access_token as string });
    expect(me.body).toMatchObject({ email: ada.email, roles: ['admin'] });
  });

  it('with MFA required, a password-only sign-in is refused and one with the code gets in', async () => {
    await api('PATCH', '/v1/settings/identity', { token: admin, body: { mfaPolicy: 'required' } });
    const bob = runtime.oidcIdp.users.find((u) => !u.groups.includes('admins'))!;
    const refused = await signIn({ email: bob.email, password: bob.password });
    expect(refused.landed.searchParams.get('error_description')).toMatch(/^mfa_required: /);

    const withCode = await signIn({
      email: bob.email,
      password: bob.password,
      code: runtime.oidcIdp.oneTimeCode,
    });
    const tokens = await redeem(withCode.landed, withCode.verifier);
    const me = await api('GET', '/v1/me', { token: tokens.body.access_token as string });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ email: bob.email, roles: ['member'] });
  });
});
