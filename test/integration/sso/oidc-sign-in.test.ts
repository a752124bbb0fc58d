// OIDC connections and sign-in over a real DynamoDB (Local) with a real OpenID provider
// (oidc-provider, in this process on loopback) reached over HTTP: the connection is discovered from
// its issuer and keeps its client secret sealed; a sign-in goes through the provider's login with a
// cookie jar and comes back to the redirect URI, where the code is exchanged and the ID token checked
// before the shared steps provision the person and hand the app its one-time code. Each refusal is
// recorded against the connection and sent back to the app.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SsoEntities } from '../../../functions/sso/entities.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { startOidcProvider, type LocalOidcProvider, type ProviderUser } from '../../support/oidc-provider.ts';
import {
  consoleOrigin,
  createSsoApi,
  pkce,
  ssoHost,
  ssoSecretKey,
  type Json,
  type Reply,
  type SsoApi,
} from '../../support/sso.ts';

let sso: SsoApi;
let entities: SsoEntities;
let provider: LocalOidcProvider;
const servers: http.Server[] = [];

beforeAll(async () => {
  sso = await createSsoApi();
  entities = sso.entities;
  provider = await startOidcProvider();
});

afterAll(async () => {
  await provider.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

const apiBase = `http://${ssoHost}`;

/** A server on loopback that answers every request with `body`, e.g. a discovery document. */
async function serving(body: unknown): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

interface OidcConnection {
  id: string;
  oidc: { issuer: string; clientId: string; scopes: string[]; redirectUri: string; clientSecretSet: true };
}

/** A tenant with a verified domain and an OIDC connection to the provider, registered there. */
async function tenantWithOidc(options: { mfaRequired?: boolean; connection?: Json } = {}) {
  const tenant = await sso.verifiedTenant(options);
  const created = await tenant.admin('POST', '/v1/sso/connections', {
    type: 'oidc',
    name: 'Acme OIDC',
    oidc: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
    roleMapping: [
      { group: 'admins', roles: ['admin'] },
      { group: 'finance', roles: ['billing'] },
    ],
    ...options.connection,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const connection = created.body as unknown as OidcConnection;
  provider.allowRedirect(connection.oidc.redirectUri);
  return { ...tenant, connection, created };
}
type Setup = Awaited<ReturnType<typeof tenantWithOidc>>;

/** The browser coming back from the provider, delivered to Plinth's redirect URI. */
const callback = (url: URL): Promise<Reply> =>
  sso.send({
    method: 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
  });

/** The app's start, the provider's login as `user`, and Plinth's answer to the browser's return. */
async function signInAs(
  setup: Setup,
  user: ProviderUser,
  options: { amr?: string[]; acr?: string; beforeReturn?: () => Promise<void> } = {},
) {
  const app = pkce();
  const started = await sso.send({
    method: 'GET',
    path: '/v1/sso/authorize',
    query: {
      email: user.email,
      redirect_uri: `${consoleOrigin}/callback`,
      code_challenge: app.challenge,
      code_challenge_method: 'S256',
      state: 'app-state-1',
    },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(302);
  const authorization = new URL(started.location!);
  provider.login(user, options);
  const back = await provider.browse(authorization.href, setup.connection.oidc.redirectUri);
  await options.beforeReturn?.();
  const answer = await callback(back);
  return { app, authorization, back, answer };
}

const appRedirect = (reply: Reply) => new URL(reply.location!).searchParams;
const userByEmail = async (tenantId: string, email: string) =>
  (await entities.user.query.byEmail({ tenantId, email }).go()).data[0];
const failures = async (setup: Setup) =>
  (await setup.admin('GET', `/v1/sso/connections/${setup.connection.id}/failures`)).body.items as Json[];
const storedConnection = async (setup: Setup) =>
  (await entities.connection.get({ tenantId: setup.tenantId, connectionId: setup.connection.id }).go()).data!;

describe('OIDC connections', () => {
  it('are discovered from the issuer, show the redirect URI, and keep the client secret sealed', async () => {
    const setup = await tenantWithOidc();
    const { body } = setup.created;
    expect(body).toMatchObject({
      type: 'oidc',
      enabled: true,
      oidc: {
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecretSet: true,
        scopes: ['openid', 'email', 'profile'],
        redirectUri: `${apiBase}/v1/sso/oidc/${setup.connection.id}/callback`,
      },
    });
    expect(body).not.toHaveProperty('serviceProvider');
    expect(JSON.stringify(body)).not.toContain(provider.clientSecret);
    const listed = await setup.admin('GET', '/v1/sso/connections');
    expect(JSON.stringify(listed.body)).not.toContain(provider.clientSecret);

    const raw = await entities.connection
      .get({ tenantId: setup.tenantId, connectionId: setup.connection.id })
      .go({ data: 'raw' });
    const rawText = JSON.stringify(raw.data);
    expect(rawText).not.toContain(provider.clientSecret);
    const stored = await storedConnection(setup);
    expect(createSecretBox(ssoSecretKey).open(stored.oidc!.clientSecretSealed)).toBe(provider.clientSecret);
    expect(stored.oidc).toMatchObject({
      tokenEndpoint: `${provider.issuer}/token`,
      jwksUri: `${provider.issuer}/jwks`,
      authorizationEndpoint: `${provider.issuer}/auth`,
    });

    const events = (await entities.event.query.byTenant({ tenantId: setup.tenantId }).go()).data;
    const created = events.find((e) => e.type === 'sso.connection.created')!;
    expect(created.data).toMatchObject({
      connection: { type: 'oidc', issuer: provider.issuer, clientId: provider.clientId },
    });
    expect(JSON.stringify(created)).not.toContain(provider.clientSecret);
  });

  it('refuse an issuer whose discovery is unreachable, names another issuer, or is not public', async () => {
    const { admin } = await sso.verifiedTenant();
    const create = (issuer: string) =>
      admin('POST', '/v1/sso/connections', {
        type: 'oidc',
        name: 'x',
        oidc: { issuer, clientId: 'c', clientSecret: 's' },
      });
    const issuerProblem = (reply: Reply) => {
      expect(reply.status).toBe(400);
      const errors = reply.body.errors as Array<{ path: string; code: string }>;
      return errors.find((e) => e.path === 'body.oidc.issuer')?.code;
    };
    expect(issuerProblem(await create(await closedPort()))).toBe('discovery_failed');
    const elsewhere = await serving({
      issuer: 'https://elsewhere.example',
      authorization_endpoint: 'https://elsewhere.example/auth',
      token_endpoint: 'https://elsewhere.example/token',
      jwks_uri: 'https://elsewhere.example/jwks',
    });
    expect(issuerProblem(await create(elsewhere))).toBe('issuer_mismatch');
    expect(issuerProblem(await create('http://169.254.169.254/'))).toBe('discovery_failed');
  });

  it('take a new secret and discover again on update, and refuse SAML settings', async () => {
    const setup = await tenantWithOidc();
    const before = await storedConnection(setup);
    const path = `/v1/sso/connections/${setup.connection.id}`;
    const updated = await setup.admin('PATCH', path, { oidc: { clientSecret: 'rotated-secret' } });
    expect(updated.status).toBe(200);
    expect(JSON.stringify(updated.body)).not.toContain('rotated-secret');
    const after = await storedConnection(setup);
    expect(createSecretBox(ssoSecretKey).open(after.oidc!.clientSecretSealed)).toBe('rotated-secret');
    expect(after.oidc!.discoveredAt > before.oidc!.discoveredAt).toBe(true);

    for (const body of [{ saml: { metadataXml: '<x/>' } }, { allowIdpInitiated: true }]) {
      const wrong = await setup.admin('PATCH', path, body);
      expect(wrong.status).toBe(400);
      expect(JSON.stringify(wrong.body)).toContain('wrong_connection_type');
    }
    const unreachable = await setup.admin('PATCH', path, { oidc: { issuer: await closedPort() } });
    expect(unreachable.status).toBe(400);
  });
});

describe('OIDC sign-in', () => {
  it('provisions the person with mapped roles and hands the app a code its verifier redeems', async () => {
    const setup = await tenantWithOidc();
    const email = `ada@${setup.domain}`;
    const { app, authorization, answer } = await signInAs(setup, {
      email,
      name: 'Ada',
      groups: ['admins', 'engineering'],
    });
    // Plinth's own PKCE pair and nonce towards the provider, not the app's.
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('code_challenge')).not.toBe(app.challenge);
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.searchParams.get('state')).toMatch(/^sin_/);

    expect(answer.status, JSON.stringify(answer.body)).toBe(302);
    const back = new URL(answer.location!);
    expect(back.origin + back.pathname).toBe(`${consoleOrigin}/callback`);
    expect(back.searchParams.get('state')).toBe('app-state-1');
    expect(await userByEmail(setup.tenantId, email)).toMatchObject({ name: 'Ada', roles: ['admin'] });

    const tokens = await sso.send({
      method: 'POST',
      path: '/v1/sso/token',
      body: {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code'),
        code_verifier: app.verifier,
      },
    });
    expect(tokens.status).toBe(200);
  });

  it('updates roles from changed groups on a later sign-in', async () => {
    const setup = await tenantWithOidc();
    const email = `bob@${setup.domain}`;
    await signInAs(setup, { email, name: 'Bob', groups: ['engineering'] });
    expect((await userByEmail(setup.tenantId, email))?.roles).toEqual(['member']);
    await signInAs(setup, { email, name: 'Robert', groups: ['finance'] });
    expect(await userByEmail(setup.tenantId, email)).toMatchObject({ name: 'Robert', roles: ['billing'] });
  });

  it('takes a second factor in amr as MFA where the tenant requires it, and refuses a password alone', async () => {
    const setup = await tenantWithOidc({ mfaRequired: true });
    const email = `cy@${setup.domain}`;
    const without = await signInAs(setup, { email }, { amr: ['pwd'] });
    expect(appRedirect(without.answer).get('error_description')).toMatch(/^mfa_required: /);
    expect(await userByEmail(setup.tenantId, email)).toBeUndefined();

    const withOtp = await signInAs(setup, { email }, { amr: ['pwd', 'otp'] });
    const code = appRedirect(withOtp.answer).get('code');
    expect(code).toBeTruthy();
    const tokens = await sso.send({
      method: 'POST',
      path: '/v1/sso/token',
      body: { grant_type: 'authorization_code', code, code_verifier: withOtp.app.verifier },
    });
    expect(tokens.status).toBe(200);
    const user = await userByEmail(setup.tenantId, email);
    const sessions = (
      await entities.session.query.byUser({ tenantId: setup.tenantId, userId: user!.userId }).go()
    ).data;
    expect(sessions[0]).toMatchObject({ connectionId: setup.connection.id, ssoMfa: true });
  });

  it('refuses an address the provider has not verified', async () => {
    const setup = await tenantWithOidc();
    const { answer } = await signInAs(setup, { email: `dan@${setup.domain}`, emailVerified: false });
    expect(appRedirect(answer).get('error_description')).toMatch(/^email_not_verified: /);
  });
});

describe('refused OIDC sign-ins, sent back to the app and logged', () => {
  it('an error from the provider', async () => {
    const setup = await tenantWithOidc();
    const app = pkce();
    const started = await sso.send({
      method: 'GET',
      path: '/v1/sso/authorize',
      query: {
        connection: setup.connection.id,
        redirect_uri: `${consoleOrigin}/callback`,
        code_challenge: app.challenge,
        code_challenge_method: 'S256',
        state: 'app-state-2',
      },
    });
    // The person cancels at the provider, which sends the browser back with the error.
    const state = new URL(started.location!).searchParams.get('state')!;
    const cancelled = await callback(
      new URL(
        `${setup.connection.oidc.redirectUri}?error=access_denied&error_description=cancelled&state=${state}`,
      ),
    );
    expect(cancelled.status).toBe(302);
    expect(appRedirect(cancelled).get('error')).toBe('access_denied');
    expect(appRedirect(cancelled).get('state')).toBe('app-state-2');
    expect(appRedirect(cancelled).get('error_description')).toBe(
      'idp_error: the provider answered access_denied: cancelled',
    );
    expect((await failures(setup)).map((f) => f.code)).toEqual(['idp_error']);
  });

  it('an unknown or missing state', async () => {
    const setup = await tenantWithOidc();
    const other = await tenantWithOidc();
    const { back } = await signInAs(other, { email: `fay@${other.domain}` }, {});
    for (const query of [
      `code=x&state=${back.searchParams.get('state')}`,
      'code=x',
      'code=x&state=sin_01ARZ3NDEKTSV4RRFFQ69G5FAV',
    ]) {
      const refused = await callback(new URL(`${setup.connection.oidc.redirectUri}?${query}`));
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'sso_sign_in_refused', reason: 'unknown_sign_in' });
    }
    expect((await failures(setup)).map((f) => f.code)).toEqual([
      'unknown_sign_in',
      'unknown_sign_in',
      'unknown_sign_in',
    ]);
  });

  it.each([
    ['nonce_mismatch', (c: Record<string, unknown>) => void (c.nonce = 'another-nonce'), {}],
    ['wrong_issuer', (c: Record<string, unknown>) => void (c.iss = 'https://elsewhere.example'), {}],
    ['wrong_audience', (c: Record<string, unknown>) => void (c.aud = 'another-client'), {}],
    ['expired', (c: Record<string, unknown>) => void (c.exp = Math.floor(Date.now() / 1000) - 3600), {}],
    ['invalid_signature', () => undefined, { foreignKey: true }],
  ])('an ID token refused as %s', async (code, change, options) => {
    const setup = await tenantWithOidc();
    const stored = await storedConnection(setup);
    await entities.connection
      .patch({ tenantId: setup.tenantId, connectionId: setup.connection.id })
      .set({
        oidc: { ...stored.oidc!, tokenEndpoint: await provider.tamperingTokenEndpoint(change, options) },
      })
      .go();
    const email = `gus@${setup.domain}`;
    const { answer } = await signInAs(setup, { email });
    expect(answer.status).toBe(302);
    expect(appRedirect(answer).get('error_description')).toMatch(new RegExp(`^${code}: `));
    expect(appRedirect(answer).get('state')).toBe('app-state-1');
    expect(await userByEmail(setup.tenantId, email)).toBeUndefined();
    expect((await failures(setup)).map((f) => f.code)).toEqual([code]);
  });

  it('a connection disabled while the person was at the provider', async () => {
    const setup = await tenantWithOidc();
    const email = `hal@${setup.domain}`;
    const { answer } = await signInAs(
      setup,
      { email },
      {
        beforeReturn: async () => {
          const off = await setup.admin('PATCH', `/v1/sso/connections/${setup.connection.id}`, {
            enabled: false,
          });
          expect(off.status).toBe(200);
        },
      },
    );
    expect(appRedirect(answer).get('error_description')).toMatch(/^connection_disabled: /);
    expect(await userByEmail(setup.tenantId, email)).toBeUndefined();
    expect((await failures(setup)).map((f) => f.code)).toEqual(['connection_disabled']);
  });
});

describe('OIDC test sign-ins', () => {
  it('show the mapped claims and roles without creating a user', async () => {
    const setup = await tenantWithOidc();
    const started = await setup.admin('POST', `/v1/sso/connections/${setup.connection.id}/tests`);
    expect(started.status).toBe(201);
    const email = `ivy@${setup.domain}`;
    provider.login({ email, name: 'Ivy', groups: ['finance'] }, { amr: ['pwd', 'hwk'] });
    const back = await provider.browse(started.body.signInUrl as string, setup.connection.oidc.redirectUri);
    const result = await callback(back);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      status: 'completed',
      profile: { email, name: 'Ivy', groups: ['finance'], roles: ['billing'], mfa: true },
    });
    expect(await userByEmail(setup.tenantId, email)).toBeUndefined();
    const kept = await setup.admin(
      'GET',
      `/v1/sso/connections/${setup.connection.id}/tests/${started.body.testId as string}`,
    );
    expect(kept.body).toMatchObject({ status: 'completed' });
  });
});
