// People on one machine over HTTP: a new tenant's owner invited by mail, signing in against the local
// user pool, MFA required and enrolled, sessions revoked, roles checked, users kept to their tenant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { createApi } from '../support/http.ts';
import {
  Authenticator,
  invitationSteps,
  signIn,
  type SignedInUser,
  type UserPoolTarget,
} from '../support/sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;
type Json = Record<string, unknown>;

const password = 'Correct-Horse-42!';
const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-identity-'));
let runtime: Runtime;
let api: ReturnType<typeof createApi>;
let pool: UserPoolTarget;
let steps: ReturnType<typeof invitationSteps>;

beforeAll(async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  api = createApi(runtime.apiUrl);
  pool = { ...runtime.identity, region: runtime.region };
  steps = invitationSteps({ api, pool, adminApiKey: runtime.adminApiKey, region: runtime.region, password });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Enrols TOTP for the signed-in user through the API; the authenticator holds the secret. */
async function enrolTotp(user: SignedInUser): Promise<Authenticator> {
  const started = await api<{ secretCode: string; otpauthUri: string }>('POST', '/v1/me/mfa/totp', {
    token: user.token,
    body: {},
  });
  expect(started.status).toBe(200);
  expect(started.body.otpauthUri).toContain(`secret=${started.body.secretCode}`);
  const authenticator = new Authenticator(started.body.secretCode);
  const verified = await api('POST', '/v1/me/mfa/totp/verify', {
    token: user.token,
    body: { code: await authenticator.nextCode() },
  });
  expect(verified.status).toBe(200);
  expect(verified.body.mfaEnrolled).toBe(true);
  return authenticator;
}

describe('a tenant’s people over HTTP', () => {
  it('owner invited with the tenant → member → MFA required, enrolled, signed in with it → sessions revoked (401)', async () => {
    const created = await api('POST', '/v1/platform/tenants', {
      token: runtime.adminApiKey,
      body: {
        name: 'Acme',
        slug: 'acme',
        region: runtime.region,
        owner: { email: 'Olive@Acme.test', name: 'Olive' },
      },
    });
    expect(created.status).toBe(201);
    const tenantId = created.body.id as string;

    const owner = await steps.acceptMailedInvitation('olive@acme.test', 'Olive Owner');
    const [mail] = runtime.mail.messages({ to: 'olive@acme.test' });
    expect(mail?.subject).toBe('You are invited to join Acme on Plinth');
    const me = await api('GET', '/v1/me', { token: owner.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: owner.userId,
      tenantId,
      email: 'olive@acme.test',
      name: 'Olive Owner',
      emailVerified: true,
      roles: ['owner'],
      status: 'active',
      mfaEnrolled: false,
      mfaRequired: false,
    });
    expect(me.body.permissions).toEqual(expect.arrayContaining(['invitations:write', 'sessions:write']));
    // The person's memberships come through the table's person index, as the deployed function reads it.
    const tenants = await api('GET', '/v1/me/tenants', { token: owner.token });
    expect([tenants.status, tenants.body.items]).toEqual([
      200,
      [{ tenantId, tenantName: 'Acme', tenantStatus: 'active', roles: ['owner'], current: true }],
    ]);

    const member = await steps.invitedUser(owner, 'max@acme.test', ['member']);
    expect((await api('GET', '/v1/tenant', { token: member.token })).status).toBe(200);

    const settings = await api('PATCH', '/v1/settings/identity', {
      token: owner.token,
      body: { mfaPolicy: 'required', mfaGraceDays: 0 },
    });
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ mfaPolicy: 'required', mfaGraceDays: 0 });

    const refused = await api('GET', '/v1/tenant', { token: member.token });
    expect([refused.status, refused.body.code]).toEqual([403, 'mfa_required']);
    const meWithoutMfa = await api('GET', '/v1/me', { token: member.token });
    expect(meWithoutMfa.status).toBe(200);
    expect(meWithoutMfa.body.mfaRequired).toBe(true);

    const memberAuthenticator = await enrolTotp(member);
    // Enrolment changes what the next sign-in gives; the token in hand was issued without MFA.
    expect((await api('GET', '/v1/tenant', { token: member.token })).body.code).toBe('mfa_required');
    await expect(signIn(pool, { email: member.email, password })).rejects.toThrow(/SOFTWARE_TOKEN_MFA/);
    const memberWithMfa = {
      ...member,
      token: await signIn(pool, { email: member.email, password, authenticator: memberAuthenticator }),
    };
    const allowed = await api('GET', '/v1/tenant', { token: memberWithMfa.token });
    expect(allowed.status).toBe(200);
    expect(allowed.body.id).toBe(tenantId);
    const memberMe = await api('GET', '/v1/me', { token: memberWithMfa.token });
    expect(memberMe.body).toMatchObject({ mfaEnrolled: true, mfaRequired: false });

    // The owner is held to the same policy before they may revoke anything.
    const ownerRefused = await api('GET', `/v1/users/${member.userId}/sessions`, { token: owner.token });
    expect(ownerRefused.body.code).toBe('mfa_required');
    const ownerAuthenticator = await enrolTotp(owner);
    const ownerWithMfa = await signIn(pool, {
      email: owner.email,
      password,
      authenticator: ownerAuthenticator,
    });

    const sessions = await api<{ items: Json[] }>('GET', `/v1/users/${member.userId}/sessions`, {
      token: ownerWithMfa,
    });
    expect(sessions.status).toBe(200);
    expect(sessions.body.items.length).toBeGreaterThanOrEqual(2);
    expect(sessions.body.items.every((s) => s.userId === member.userId)).toBe(true);

    const revoked = await api('POST', `/v1/users/${member.userId}/sessions/revoke-all`, {
      token: ownerWithMfa,
      body: {},
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(2);

    const afterRevoke = await api('GET', '/v1/tenant', { token: memberWithMfa.token });
    expect([afterRevoke.status, afterRevoke.body.code]).toEqual([401, 'unauthorized']);
    expect((await api('GET', '/v1/me', { token: memberWithMfa.token })).status).toBe(401);
    expect((await api('GET', '/v1/tenant', { token: ownerWithMfa })).status).toBe(200);

    const events = await api<{ items: Json[] }>('GET', `/v1/platform/tenants/${tenantId}/events?limit=100`, {
      token: runtime.adminApiKey,
    });
    expect(events.body.items.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'invitation.created',
        'invitation.accepted',
        'user.created',
        'auth.signed_in',
        'identity_settings.updated',
        'auth.mfa_enrolled',
        'session.revoked',
      ]),
    );
  }, 180_000);

  it('a member calling an admin-only route gets 403 permission_denied naming the permission', async () => {
    const { owner } = await steps.tenantWithOwner('roles');
    const member = await steps.invitedUser(owner, 'member@roles.test', ['member']);

    const refused = await api('POST', '/v1/invitations', {
      token: member.token,
      body: { email: 'friend@roles.test', roles: ['member'] },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'permission_denied', permission: 'invitations:write' });
    expect(refused.body.detail).toContain('invitations:write');

    const promote = await api('PATCH', `/v1/users/${member.userId}`, {
      token: member.token,
      body: { roles: ['admin'] },
    });
    expect([promote.status, promote.body.code, promote.body.permission]).toEqual([
      403,
      'permission_denied',
      'users:write',
    ]);
    expect((await api('GET', '/v1/users', { token: member.token })).status).toBe(200);
  });

  it('a user of tenant A never sees tenant B’s users: not in the list, 404 by id', async () => {
    const a = await steps.tenantWithOwner('people-a');
    const b = await steps.tenantWithOwner('people-b');
    const bMember = await steps.invitedUser(b.owner, 'member@people-b.test', ['member']);

    const listed = await api<{ items: Json[] }>('GET', '/v1/users?limit=100', { token: a.owner.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((u) => u.email)).toEqual(['owner@people-a.test']);

    const searched = await api<{ items: Json[] }>('GET', '/v1/users?emailPrefix=member%40people-b', {
      token: a.owner.token,
    });
    expect(searched.body.items).toEqual([]);

    for (const other of [b.owner, bMember]) {
      const byId = await api('GET', `/v1/users/${other.userId}`, { token: a.owner.token });
      expect([byId.status, byId.body.code]).toEqual([404, 'not_found']);
      const sessions = await api('GET', `/v1/users/${other.userId}/sessions`, { token: a.owner.token });
      expect(sessions.status).toBe(404);
      const deactivate = await api('POST', `/v1/users/${other.userId}/deactivate`, {
        token: a.owner.token,
        body: {},
      });
      expect(deactivate.status).toBe(404);
    }
    expect((await api('GET', '/v1/tenant', { token: bMember.token })).status).toBe(200);
  });

  it('a deactivated user cannot sign in and their token gets 401; reactivated, they sign in again', async () => {
    const { owner } = await steps.tenantWithOwner('deactivation');
    const leaving = await steps.invitedUser(owner, 'leaving@deactivation.test', ['member']);
    expect((await api('GET', '/v1/tenant', { token: leaving.token })).status).toBe(200);

    const deactivated = await api('POST', `/v1/users/${leaving.userId}/deactivate`, {
      token: owner.token,
      body: {},
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.status).toBe('deactivated');

    const refused = await api('GET', '/v1/tenant', { token: leaving.token });
    expect([refused.status, refused.body.code]).toEqual([401, 'unauthorized']);
    await expect(signIn(pool, { email: leaving.email, password })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });

    const reactivated = await api('POST', `/v1/users/${leaving.userId}/reactivate`, {
      token: owner.token,
      body: {},
    });
    expect(reactivated.body.status).toBe('active');
    const again = await signIn(pool, { email: leaving.email, password });
    expect((await api('GET', '/v1/tenant', { token: again })).status).toBe(200);
  });
});
