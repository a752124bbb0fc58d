// SAML sign-in through `npm start`'s runtime, driven over HTTP as a browser would (following each
// redirect and auto-submitting form by hand): a tenant verifies its domain and connects the local
// SAML IdP; a new employee starts at Plinth with their email, signs in at the IdP, and comes back to
// the app with a code that the local user pool's custom authentication turns into tokens; the API
// then knows them with the role their IdP group maps to. Requiring SSO then refuses a password
// sign-in with the way in, and a forged response is refused and logged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { tenantPermissions } from '../../libs/auth/permissions.ts';
import { ssoRequiredMessage } from '../../libs/auth/sso-policy.ts';
import { createApi } from '../support/http.ts';
import { postForm, signInThroughSamlIdp } from '../support/saml-sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-saml-'));
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
    body: { name: 'Acme', slug: 'acme-saml', plan: 'starter', region: 'us-east-1' },
  });
  const key = await api('POST', `/v1/platform/tenants/${tenant.body.id as string}/api-keys`, {
    token: runtime.adminApiKey,
    // Mapping a group to admin grants everything, so the mapping's author must hold everything.
    body: { name: 'it', scopes: [...tenantPermissions] },
  });
  admin = key.body.secret as string;
  const claim = await api('POST', '/v1/domains', { token: admin, body: { domain: 'acme.test' } });
  const record = claim.body.verification as { name: string; value: string };
  writeFileSync(join(dataDir, 'dns-records.json'), JSON.stringify({ [record.name]: [record.value] }));
  expect((await api('POST', '/v1/domains/acme.test/verify', { token: admin })).status).toBe(200);
  const metadataXml = await (await fetch(runtime.samlIdp.metadataUrl)).text();
  const connection = await api('POST', '/v1/sso/connections', {
    token: admin,
    body: {
      type: 'saml',
      name: 'Acme IdP',
      saml: { metadataXml },
      roleMapping: [{ group: 'admins', roles: ['admin'] }],
      defaultRoles: ['member'],
    },
  });
  expect(connection.status, JSON.stringify(connection.body)).toBe(201);
  connectionId = connection.body.id as string;
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signInThroughIdp(email: string, password: string) {
  const result = await signInThroughSamlIdp(
    { apiUrl: runtime.apiUrl, idpUrl: runtime.samlIdp.url, redirectUri: appCallback },
    { email, password },
  );
  return { landed: result.landed, verifier: result.verifier };
}

describe('SAML sign-in on one machine', () => {
  it('a new employee signs in through the IdP, is provisioned with the mapped role, and calls the API', async () => {
    const ada = runtime.samlIdp.users.find((u) => u.groups?.includes('admins'))!;
    const { landed, verifier } = await signInThroughIdp(ada.email, ada.password);
    expect(landed.origin + landed.pathname).toBe(appCallback);
    expect(landed.searchParams.get('state')).toBe('xyz');

    const tokens = await api('POST', '/v1/sso/token', {
      body: {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code'),
        code_verifier: verifier,
      },
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const me = await api('GET', '/v1/me', { token: tokens.body.access_token as string });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ email: ada.email, roles: ['admin'] });
    const sessions = await api('GET', '/v1/me/sessions', { token: tokens.body.access_token as string });
    expect(sessions.body.items).toEqual([
      expect.objectContaining({ current: true, signIn: { method: 'sso', connectionId, mfa: false } }),
    ]);

    const again = await api('POST', '/v1/sso/token', {
      body: {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code'),
        code_verifier: verifier,
      },
    });
    expect([again.status, again.body.code]).toEqual([400, 'invalid_grant']);
  });

  it('a member without a mapped group gets the default role', async () => {
    const bob = runtime.samlIdp.users.find((u) => !u.groups?.includes('admins'))!;
    const { landed, verifier } = await signInThroughIdp(bob.email, bob.password);
    const tokens = await api('POST', '/v1/sso/token', {
      body: {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code'),
        code_verifier: verifier,
      },
    });
    const me = await api('GET', '/v1/me', { token: tokens.body.access_token as string });
    expect(me.body).toMatchObject({ email: bob.email, roles: ['member'] });
  });

  it('once SSO is required, a password sign-in of the domain is refused with the way in', async () => {
    const set = await api('PATCH', '/v1/settings/identity', {
      token: admin,
      body: { ssoPolicy: 'required' },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const pool = new CognitoIdentityProviderClient({
      endpoint: runtime.identity.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const attempt = pool.send(
      new InitiateAuthCommand({
        ClientId: runtime.identity.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: runtime.samlIdp.users[0]!.email, PASSWORD: 'Any-Password-1' },
      }),
    );
    await expect(attempt).rejects.toThrow(ssoRequiredMessage);

    // SSO itself still signs them in.
    const ada = runtime.samlIdp.users[0]!;
    const { landed, verifier } = await signInThroughIdp(ada.email, ada.password);
    const tokens = await api('POST', '/v1/sso/token', {
      body: {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code'),
        code_verifier: verifier,
      },
    });
    expect((await api('GET', '/v1/me', { token: tokens.body.access_token as string })).status).toBe(200);
  });

  it('a tampered response is refused, and the tenant admin reads why', async () => {
    const tampered = await postForm(`${runtime.apiUrl}/v1/sso/saml/${connectionId}/acs`, {
      SAMLResponse: Buffer.from(
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
      ).toString('base64'),
    });
    expect(tampered.status).toBe(403);
    const failures = await api('GET', `/v1/sso/connections/${connectionId}/failures`, { token: admin });
    expect((failures.body.items as Array<{ code: string }>).length).toBeGreaterThan(0);
  });
});
