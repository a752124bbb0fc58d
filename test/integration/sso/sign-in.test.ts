// SSO sign-in over a real DynamoDB (Local) with a real (samlify) IdP's signed responses: the start
// redirects to the IdP with an AuthnRequest, the ACS verifies the response, provisions the person
// with the roles their groups map to, and hands the app a one-time code that only its PKCE verifier
// redeems, through the identity context's own custom authentication triggers. Every refusal is
// recorded against the connection. The user pool is a stand-in here; the e2e test uses the local one.
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SsoEntities } from '../../../functions/sso/entities.ts';
import { createLocalSamlIdp, newSamlIdpKeys, type LocalSamlIdp } from '../../../infra/local/idps/saml-idp.ts';
import { readAuthnRequest } from '../../../infra/local/idps/saml-server.ts';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { consoleOrigin, createSsoApi, pkce, type Json, type Reply, type SsoApi } from '../../support/sso.ts';
import { platformCaller, tenantCaller } from '../../unit/http/api-events.ts';

const mfaContext = 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken';

let sso: SsoApi;
let entities: SsoEntities;
let idp: LocalSamlIdp;
let redeemed: SsoApi['redeemed'];
const send: SsoApi['send'] = (init) => sso.send(init);

beforeAll(async () => {
  sso = await createSsoApi();
  ({ entities, redeemed } = sso);
  idp = createLocalSamlIdp({
    entityId: 'http://127.0.0.1:4100/saml',
    ssoUrl: 'http://127.0.0.1:4100/saml/sso',
    keys: await newSamlIdpKeys(),
  });
});

/** A tenant with a verified domain and a SAML connection to the IdP, made by its admin. */
async function tenantWithConnection(options: { connection?: Json; mfaRequired?: boolean } = {}) {
  const { tenantId, domain, admin } = await sso.verifiedTenant(options);
  const created = await admin('POST', '/v1/sso/connections', {
    type: 'saml',
    name: 'Acme IdP',
    saml: { metadataXml: idp.metadata() },
    roleMapping: [
      { group: 'admins', roles: ['admin'] },
      { group: 'finance', roles: ['billing'] },
    ],
    ...options.connection,
  });
  expect(created.status).toBe(201);
  const connection = created.body as { id: string; serviceProvider: { entityId: string; acsUrl: string } };
  return { tenantId, domain, connection, admin, sp: connection.serviceProvider };
}

/** The app's start: where the browser goes, and the AuthnRequest and RelayState it carries. */
async function start(query: Record<string, string>) {
  const started = await send({ method: 'GET', path: '/v1/sso/authorize', query });
  expect(started.status, JSON.stringify(started.body)).toBe(302);
  const url = new URL(started.location!);
  return {
    url,
    request: readAuthnRequest(url.searchParams.get('SAMLRequest')!),
    relayState: url.searchParams.get('RelayState')!,
  };
}

const postAcs = (connectionId: string, form: Record<string, string>) =>
  send({
    method: 'POST',
    path: `/v1/sso/saml/${connectionId}/acs`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

async function signInAs(
  setup: Awaited<ReturnType<typeof tenantWithConnection>>,
  user: { email: string; name?: string; groups?: string[] },
  options: { authnContextClassRef?: string; byConnection?: boolean } = {},
) {
  const { verifier, challenge } = pkce();
  const { byConnection, ...responseOptions } = options;
  const { request, relayState } = await start({
    ...(byConnection ? { connection: setup.connection.id } : { email: user.email }),
    redirect_uri: `${consoleOrigin}/callback`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'app-state-1',
  });
  const response = await idp.loginResponse({
    sp: setup.sp,
    user,
    inResponseTo: request.id,
    ...responseOptions,
  });
  const acs = await postAcs(setup.connection.id, { SAMLResponse: response, RelayState: relayState });
  return { acs, verifier, response, relayState };
}

const userByEmail = async (tenantId: string, email: string) =>
  (await entities.user.query.byEmail({ tenantId, email }).go()).data[0];
const eventTypes = async (tenantId: string) =>
  (await entities.event.query.byTenant({ tenantId }).go()).data.map((e) => e.type);
const failures = async (setup: Awaited<ReturnType<typeof tenantWithConnection>>) =>
  (await setup.admin('GET', `/v1/sso/connections/${setup.connection.id}/failures`)).body.items as Json[];

describe('SP-initiated sign-in', () => {
  it('provisions the person with mapped roles and hands the app a code its verifier redeems once', async () => {
    const setup = await tenantWithConnection();
    const email = `ada@${setup.domain}`;
    const { acs, verifier } = await signInAs(setup, {
      email,
      name: 'Ada',
      groups: ['admins', 'engineering'],
    });
    expect(acs.status).toBe(302);
    const back = new URL(acs.location!);
    expect(back.origin + back.pathname).toBe(`${consoleOrigin}/callback`);
    expect(back.searchParams.get('state')).toBe('app-state-1');
    const code = back.searchParams.get('code')!;

    const user = await userByEmail(setup.tenantId, email);
    expect(user).toMatchObject({ name: 'Ada', roles: ['admin'], status: 'active', emailVerified: true });
    expect(await eventTypes(setup.tenantId)).toContain('user.provisioned');
    const tenant = (await entities.tenant.get({ tenantId: setup.tenantId }).go()).data;
    expect(tenant?.activeUsers).toBe(1);

    const wrong = await send({
      method: 'POST',
      path: '/v1/sso/token',
      body: { grant_type: 'authorization_code', code, code_verifier: pkce().verifier },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('invalid_grant');

    const form = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier });
    const redeem = () =>
      send({
        method: 'POST',
        path: '/v1/sso/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    const tokens = await redeem();
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', refresh_token: 'r' });
    expect(redeemed.at(-1)).toEqual({ username: user!.userId, verifier });
    const sessions = (
      await entities.session.query.byUser({ tenantId: setup.tenantId, userId: user!.userId }).go()
    ).data;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ connectionId: setup.connection.id, ssoMfa: false, status: 'active' });

    const again = await redeem();
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_grant');
  });

  it('updates name and roles from changed groups on a later sign-in, keeping the owner role', async () => {
    const setup = await tenantWithConnection();
    const email = `bob@${setup.domain}`;
    await signInAs(setup, { email, name: 'Bob', groups: ['engineering'] });
    expect((await userByEmail(setup.tenantId, email))?.roles).toEqual(['member']);

    await signInAs(setup, { email, name: 'Robert', groups: ['finance'] });
    const user = await userByEmail(setup.tenantId, email);
    expect(user).toMatchObject({ name: 'Robert', roles: ['billing'] });
    expect(await eventTypes(setup.tenantId)).toContain('user.updated');

    await entities.user
      .patch({ tenantId: setup.tenantId, userId: user!.userId })
      .set({ roles: ['owner', 'billing'] })
      .go();
    await signInAs(setup, { email, name: 'Robert', groups: ['admins'] });
    expect((await userByEmail(setup.tenantId, email))?.roles).toEqual(['owner', 'admin']);
  });

  it('takes the IdP’s second factor as MFA where the tenant requires it, and refuses a sign-in without', async () => {
    const setup = await tenantWithConnection({ mfaRequired: true });
    const without = await signInAs(setup, { email: `cy@${setup.domain}` });
    expect(new URL(without.acs.location!).searchParams.get('error_description')).toMatch(/^mfa_required: /);
    expect(await userByEmail(setup.tenantId, `cy@${setup.domain}`)).toBeUndefined();

    const withMfa = await signInAs(
      setup,
      { email: `cy@${setup.domain}` },
      { authnContextClassRef: mfaContext },
    );
    const code = new URL(withMfa.acs.location!).searchParams.get('code')!;
    const proofs = await send({
      method: 'POST',
      path: '/v1/sso/token',
      body: { grant_type: 'authorization_code', code, code_verifier: withMfa.verifier },
    });
    expect(proofs.status).toBe(200);
    const user = await userByEmail(setup.tenantId, `cy@${setup.domain}`);
    const sessions = (
      await entities.session.query.byUser({ tenantId: setup.tenantId, userId: user!.userId }).go()
    ).data;
    expect(sessions[0]?.ssoMfa).toBe(true);
  });
});

describe('the start, for an app that navigates itself', () => {
  it('answers where to go as JSON when asked', async () => {
    const setup = await tenantWithConnection();
    const answer = await send({
      method: 'GET',
      path: '/v1/sso/authorize',
      headers: { accept: 'application/json' },
      query: {
        email: `ada@${setup.domain}`,
        redirect_uri: consoleOrigin,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      },
    });
    expect(answer.status).toBe(200);
    expect(new URL(answer.body.redirectUrl as string).origin).toBe('http://127.0.0.1:4100');
  });
});

describe('refused sign-ins', () => {
  it('an email outside the tenant’s verified domains, back to the app with the reason, and logged', async () => {
    const setup = await tenantWithConnection();
    // The IdP's admin asserts an address in a domain the tenant never proved.
    const { acs } = await signInAs(setup, { email: 'mallory@elsewhere.test' }, { byConnection: true });
    const back = new URL(acs.location!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toMatch(/^domain_not_verified: /);
    expect(back.searchParams.get('code')).toBeNull();
    expect(await userByEmail(setup.tenantId, 'mallory@elsewhere.test')).toBeUndefined();
    expect(await failures(setup)).toEqual([
      expect.objectContaining({ code: 'domain_not_verified', email: 'mallory@elsewhere.test' }),
    ]);
  });

  it('a response that answers another request', async () => {
    const setup = await tenantWithConnection();
    const { challenge } = pkce();
    const { relayState } = await start({
      email: `ada@${setup.domain}`,
      redirect_uri: consoleOrigin,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const response = await idp.loginResponse({
      sp: setup.sp,
      user: { email: `ada@${setup.domain}` },
      inResponseTo: '_other',
    });
    const acs = await postAcs(setup.connection.id, { SAMLResponse: response, RelayState: relayState });
    expect(new URL(acs.location!).searchParams.get('error_description')).toMatch(
      /^in_response_to_mismatch: /,
    );
  });

  it('a replayed response, and a second post of a completed sign-in', async () => {
    const setup = await tenantWithConnection();
    const first = await signInAs(setup, { email: `ada@${setup.domain}` });
    expect(new URL(first.acs.location!).searchParams.get('code')).not.toBeNull();
    const again = await postAcs(setup.connection.id, {
      SAMLResponse: first.response,
      RelayState: first.relayState,
    });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ code: 'sso_sign_in_refused', reason: 'sign_in_expired' });
    const codes = (await failures(setup)).map((f) => f.code);
    expect(codes).toContain('sign_in_expired');
  });

  it('an unsolicited response unless IdP-initiated sign-in is on, and then a code for the console', async () => {
    const setup = await tenantWithConnection();
    const unsolicited = await idp.loginResponse({ sp: setup.sp, user: { email: `ada@${setup.domain}` } });
    const refused = await postAcs(setup.connection.id, { SAMLResponse: unsolicited });
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe('unsolicited');

    await setup.admin('PATCH', `/v1/sso/connections/${setup.connection.id}`, { allowIdpInitiated: true });
    const fresh = await idp.loginResponse({ sp: setup.sp, user: { email: `ada@${setup.domain}` } });
    const accepted = await postAcs(setup.connection.id, {
      SAMLResponse: fresh,
      RelayState: 'https://evil.test/',
    });
    const back = new URL(accepted.location!);
    expect(back.origin).toBe(consoleOrigin);
    const tokens = await send({
      method: 'POST',
      path: '/v1/sso/token',
      body: { grant_type: 'authorization_code', code: back.searchParams.get('code') },
    });
    expect(tokens.status).toBe(200);
  });

  it('a disabled connection, at the start and at the ACS', async () => {
    const setup = await tenantWithConnection();
    const { verifier: _v, challenge } = pkce();
    const { relayState, request } = await start({
      connection: setup.connection.id,
      redirect_uri: consoleOrigin,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await setup.admin('PATCH', `/v1/sso/connections/${setup.connection.id}`, { enabled: false });
    const response = await idp.loginResponse({
      sp: setup.sp,
      user: { email: `ada@${setup.domain}` },
      inResponseTo: request.id,
    });
    const acs = await postAcs(setup.connection.id, { SAMLResponse: response, RelayState: relayState });
    expect(new URL(acs.location!).searchParams.get('error_description')).toMatch(/^connection_disabled: /);
    const again = await send({
      method: 'GET',
      path: '/v1/sso/authorize',
      query: {
        connection: setup.connection.id,
        redirect_uri: consoleOrigin,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
    });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('connection_disabled');
  });

  it('a start to a redirect URI off the console, an unknown domain, several connections', async () => {
    const setup = await tenantWithConnection();
    const { challenge } = pkce();
    const query = { redirect_uri: consoleOrigin, code_challenge: challenge, code_challenge_method: 'S256' };
    const offsite = await send({
      method: 'GET',
      path: '/v1/sso/authorize',
      query: { ...query, email: `ada@${setup.domain}`, redirect_uri: 'https://evil.test/cb' },
    });
    expect(offsite.status).toBe(400);
    expect(offsite.body.errors).toEqual([expect.objectContaining({ code: 'redirect_uri_not_allowed' })]);

    const unknown = await send({
      method: 'GET',
      path: '/v1/sso/authorize',
      query: { ...query, email: 'ada@nobody.test' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('sso_not_configured');

    await setup.admin('POST', '/v1/sso/connections', {
      type: 'saml',
      name: 'Second',
      saml: { metadataXml: idp.metadata() },
    });
    const several = await send({
      method: 'GET',
      path: '/v1/sso/authorize',
      query: { ...query, email: `ada@${setup.domain}` },
    });
    expect(several.status).toBe(409);
    expect(several.body.code).toBe('connection_required');
    expect(JSON.stringify(several.body)).not.toContain(setup.connection.id);
  });
});

describe('test sign-ins and the failure log', () => {
  it('shows the mapped attributes and roles without creating a user', async () => {
    const setup = await tenantWithConnection();
    const started = await setup.admin('POST', `/v1/sso/connections/${setup.connection.id}/tests`, {});
    expect(started.status).toBe(201);
    const url = new URL(started.body.signInUrl as string);
    const request = readAuthnRequest(url.searchParams.get('SAMLRequest')!);
    const email = `dee@${setup.domain}`;
    const response = await idp.loginResponse({
      sp: setup.sp,
      user: { email, name: 'Dee', groups: ['finance'] },
      inResponseTo: request.id,
      authnContextClassRef: mfaContext,
    });
    const acs = await postAcs(setup.connection.id, {
      SAMLResponse: response,
      RelayState: url.searchParams.get('RelayState')!,
    });
    expect(acs.status).toBe(200);
    const result = await setup.admin(
      'GET',
      `/v1/sso/connections/${setup.connection.id}/tests/${started.body.testId as string}`,
    );
    expect(result.body).toMatchObject({
      status: 'completed',
      profile: { email, name: 'Dee', groups: ['finance'], roles: ['billing'], mfa: true },
    });
    expect(await userByEmail(setup.tenantId, email)).toBeUndefined();
  });

  it('another tenant’s connection, failures and tests are a 404', async () => {
    const setup = await tenantWithConnection();
    const other = tenantCaller([...tenantPermissions], `ten_${ulid()}`);
    for (const path of [
      `/v1/sso/connections/${setup.connection.id}/failures`,
      `/v1/sso/connections/${setup.connection.id}/tests/sin_${ulid()}`,
    ]) {
      expect((await send({ method: 'GET', path, caller: other })).status).toBe(404);
    }
    const started = await send({
      method: 'POST',
      path: `/v1/sso/connections/${setup.connection.id}/tests`,
      caller: other,
      body: {},
    });
    expect(started.status).toBe(404);
  });
});

describe('group mappings', () => {
  it('grant only what their author holds, and never the owner role', async () => {
    const tenantId = `ten_${ulid()}`;
    const limited = tenantCaller(['sso:write', 'sso:read', 'tenant:read'], tenantId);
    const body = (roles: string[]) => ({
      type: 'saml',
      name: 'x',
      saml: { metadataXml: idp.metadata() },
      roleMapping: [{ group: 'g', roles }],
    });
    const admin = await send({
      method: 'POST',
      path: '/v1/sso/connections',
      caller: limited,
      body: body(['admin']),
    });
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe('permission_not_held');
    const unknown = await send({
      method: 'POST',
      path: '/v1/sso/connections',
      caller: limited,
      body: body([`role_${ulid()}`]),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ code: 'unknown_role', path: 'body.roleMapping.0.roles.0' }),
    ]);
    const owner = await send({
      method: 'POST',
      path: '/v1/sso/connections',
      caller: tenantCaller([...tenantPermissions], tenantId),
      body: body(['owner']),
    });
    expect(owner.status).toBe(400);
    const defaults = await send({
      method: 'POST',
      path: '/v1/sso/connections',
      caller: limited,
      body: { type: 'saml', name: 'x', saml: { metadataXml: idp.metadata() }, defaultRoles: ['admin'] },
    });
    expect(defaults.status).toBe(403);
  });
});

describe('provisioning refused', () => {
  const errorOf = (acs: Reply) => new URL(acs.location!).searchParams.get('error_description') ?? '';

  it('when the plan has no seat left, leaving no pool user behind', async () => {
    const setup = await tenantWithConnection();
    await entities.tenant.patch({ tenantId: setup.tenantId }).set({ activeUsers: 10 }).go();
    const email = `full@${setup.domain}`;
    const { acs } = await signInAs(setup, { email });
    expect(errorOf(acs)).toMatch(/^plan_limit_reached: /);
    expect(await userByEmail(setup.tenantId, email)).toBeUndefined();
    expect([...sso.poolUsers.values()].some((u) => u.email === email)).toBe(false);
  });

  it('for a deactivated user, and for an address another tenant’s user has', async () => {
    const setup = await tenantWithConnection();
    const email = `gone@${setup.domain}`;
    await signInAs(setup, { email });
    const user = await userByEmail(setup.tenantId, email);
    await entities.user
      .patch({ tenantId: setup.tenantId, userId: user!.userId })
      .set({ status: 'deactivated' })
      .go();
    expect(errorOf((await signInAs(setup, { email })).acs)).toMatch(/^user_deactivated: /);

    // Another tenant invited this person earlier: the user pool knows the address already.
    const email2 = `pat@${setup.domain}`;
    sso.poolUsers.set('invited-elsewhere', {
      email: email2,
      name: 'Pat',
      tenantId: 'ten_other',
      password: 'x',
      userId: 'invited-elsewhere',
    });
    const second = await signInAs(setup, { email: email2 });
    expect(errorOf(second.acs)).toMatch(/^email_in_use: /);
  });

  it('a test sign-in that fails keeps why for the admin', async () => {
    const setup = await tenantWithConnection();
    const started = await setup.admin('POST', `/v1/sso/connections/${setup.connection.id}/tests`, {});
    const url = new URL(started.body.signInUrl as string);
    const response = await idp.loginResponse({
      sp: setup.sp,
      user: { email: `ted@${setup.domain}` },
      inResponseTo: '_not-this-one',
    });
    const acs = await postAcs(setup.connection.id, {
      SAMLResponse: response,
      RelayState: url.searchParams.get('RelayState')!,
    });
    expect(acs.status).toBe(200);
    const result = await setup.admin(
      'GET',
      `/v1/sso/connections/${setup.connection.id}/tests/${started.body.testId as string}`,
    );
    expect(result.body).toMatchObject({ status: 'failed', error: { code: 'in_response_to_mismatch' } });
  });
});

describe('support from the platform', () => {
  it('reads a tenant’s connections, failure log and domains; an unknown tenant is a 404', async () => {
    const setup = await tenantWithConnection();
    await signInAs(setup, { email: 'eve@elsewhere.test' }, { byConnection: true });
    const support = platformCaller(['platform.sso:read']);
    const base = `/v1/platform/tenants/${setup.tenantId}`;
    const connections = await send({ method: 'GET', path: `${base}/sso/connections`, caller: support });
    expect(connections.status).toBe(200);
    expect((connections.body.items as Json[]).map((c) => c.id)).toEqual([setup.connection.id]);
    const failed = await send({
      method: 'GET',
      path: `${base}/sso/connections/${setup.connection.id}/failures`,
      caller: support,
    });
    expect(failed.body.items).toEqual([expect.objectContaining({ code: 'domain_not_verified' })]);
    const domains = await send({ method: 'GET', path: `${base}/domains`, caller: support });
    expect((domains.body.items as Json[]).map((d) => d.domain)).toEqual([setup.domain]);

    const unknown = `/v1/platform/tenants/ten_${ulid()}`;
    for (const path of [
      `${unknown}/sso/connections`,
      `${unknown}/domains`,
      `${unknown}/sso/connections/${setup.connection.id}/failures`,
    ]) {
      expect((await send({ method: 'GET', path, caller: support })).status).toBe(404);
    }
    const withoutPermission = await send({
      method: 'GET',
      path: `${base}/sso/connections`,
      caller: platformCaller(['platform.tenants:read']),
    });
    expect(withoutPermission.status).toBe(403);
  });
});
