import { describe, expect, it } from 'vitest';
import { decideUser, owesMfa, type UserReads, type UserState } from '../../../functions/authorizer/user.ts';
import type { AccessTokenClaims } from '../../../functions/authorizer/jwt.ts';
import type {
  IdentitySettingsItem,
  RoleItem,
  SessionItem,
  UserItem,
} from '../../../libs/data/identity-entities.ts';
import { sampleTenantId, tenantItem } from '../../support/items.ts';

const now = new Date('2026-06-01T12:00:00.000Z');
const authTime = Math.floor(now.getTime() / 1000) - 600;

function user(overrides: Partial<UserItem> = {}): UserItem {
  return {
    tenantId: sampleTenantId,
    userId: 'sub-1',
    email: 'ada@example.com',
    emailVerified: true,
    name: 'Ada',
    roles: ['member'],
    status: 'active',
    mfaEnrolled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function session(overrides: Partial<SessionItem> = {}): SessionItem {
  return {
    tenantId: sampleTenantId,
    userId: 'sub-1',
    sessionId: 'origin-1',
    userAgent: 'test',
    ip: '203.0.113.9',
    startedAt: '2026-06-01T11:50:00.000Z',
    lastSeenAt: '2026-06-01T11:50:00.000Z',
    status: 'active',
    expiresAt: 0,
    ...overrides,
  };
}

function settings(overrides: Partial<IdentitySettingsItem> = {}): IdentitySettingsItem {
  return {
    tenantId: sampleTenantId,
    mfaPolicy: 'required',
    mfaGraceDays: 0,
    mfaRequiredSince: '2026-05-01T00:00:00.000Z',
    updatedAt: '2026-05-01T00:00:00.000Z',
    ...overrides,
  };
}

const claims = (overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  sub: 'sub-1',
  tenantId: sampleTenantId,
  originJti: 'origin-1',
  authTime,
  mfa: false,
  ...overrides,
});

function reads(
  state: Partial<UserState>,
  customRoles: RoleItem[] = [],
  verifiedDomains: string[] = [],
): UserReads {
  return {
    isVerifiedDomain: (tenantId, domain) =>
      Promise.resolve(tenantId === sampleTenantId && verifiedDomains.includes(domain)),
    getUserState: () =>
      Promise.resolve({
        tenant: tenantItem(),
        user: user(),
        settings: undefined,
        session: undefined,
        ...state,
      }),
    getCustomRoles: (_tenant, ids) => Promise.resolve(customRoles.filter((r) => ids.includes(r.roleId))),
  };
}

describe('user token decisions', () => {
  it('allows an active user with the permissions of their roles, as a user principal', async () => {
    const decision = await decideUser(claims(), 'us-east-1', reads({}), now);
    if (decision.effect !== 'allow' || decision.caller.kind !== 'tenant') throw new Error('expected allow');
    expect(decision.caller).toMatchObject({
      principalType: 'user',
      principalId: 'sub-1',
      credentialId: 'origin-1',
    });
    expect(decision.caller.permissions.has('users:read')).toBe(true);
    expect(decision.caller.permissions.has('users:write')).toBe(false);
  });

  it('adds the permissions of a custom role', async () => {
    const role: RoleItem = {
      tenantId: sampleTenantId,
      roleId: 'role_01JD0000000000000000000000',
      name: 'Webhook admins',
      permissions: ['webhooks:write'],
      createdAt: '',
      updatedAt: '',
    };
    const decision = await decideUser(
      claims(),
      'us-east-1',
      reads({ user: user({ roles: [role.roleId] }) }, [role]),
      now,
    );
    expect(decision.effect === 'allow' && decision.caller.permissions.has('webhooks:write')).toBe(true);
  });

  it.each([
    ['a deactivated user', { user: user({ status: 'deactivated' }) }, 'deactivated user'],
    ['a user unknown in the token tenant', { user: undefined }, 'unknown user'],
    ['a revoked session', { session: session({ status: 'revoked' }) }, 'revoked session'],
    [
      'a sign-in older than the last sign-out everywhere',
      { user: user({ tokensNotBeforeMs: (authTime + 1) * 1000 }) },
      'signed out everywhere since this sign-in',
    ],
  ])('refuses %s as unauthorized', async (_name, state, reason) => {
    expect(await decideUser(claims(), 'us-east-1', reads(state), now)).toEqual({
      effect: 'unauthorized',
      reason,
    });
  });

  it('denies a user of a suspended tenant with tenant_suspended, as for API keys', async () => {
    const decision = await decideUser(
      claims(),
      'us-east-1',
      reads({ tenant: tenantItem({ status: 'suspended' }) }),
      now,
    );
    expect(decision).toMatchObject({ effect: 'deny', code: 'tenant_suspended' });
  });

  it('refuses a token without a tenant claim', async () => {
    expect(await decideUser(claims({ tenantId: undefined }), 'us-east-1', reads({}), now)).toMatchObject({
      effect: 'unauthorized',
    });
  });

  it('marks a token without MFA as owing it when the tenant requires MFA', async () => {
    const decision = await decideUser(claims(), 'us-east-1', reads({ settings: settings() }), now);
    expect(
      decision.effect === 'allow' && decision.caller.kind === 'tenant' && decision.caller.mfaPending,
    ).toBe(true);
  });

  it('counts an SSO session whose IdP proved a second factor as MFA, refreshed tokens included', async () => {
    const owes = async (sso: Partial<SessionItem>) => {
      const decision = await decideUser(
        claims(),
        'us-east-1',
        reads({ settings: settings(), session: session(sso) }),
        now,
      );
      return decision.effect === 'allow' && decision.caller.kind === 'tenant' && decision.caller.mfaPending;
    };
    expect(await owes({ connectionId: 'con_1', ssoMfa: true })).toBeFalsy();
    expect(await owes({ connectionId: 'con_1', ssoMfa: false })).toBe(true);
  });
});

describe('a tenant that requires SSO', () => {
  const required = settings({ mfaPolicy: 'optional', ssoPolicy: 'required' });
  const decide = (sso: Partial<SessionItem>, domains = ['example.com'], s = required) =>
    decideUser(claims(), 'us-east-1', reads({ settings: s, session: session(sso) }, [], domains), now);

  it('refuses a password session of a user in its verified domain, at once', async () => {
    expect(await decide({})).toMatchObject({ effect: 'unauthorized' });
  });

  it('allows an SSO session, a user outside its verified domains, and a tenant that does not require it', async () => {
    expect((await decide({ connectionId: 'con_1' })).effect).toBe('allow');
    expect((await decide({}, ['other.example'])).effect).toBe('allow');
    expect((await decide({}, ['example.com'], settings({ mfaPolicy: 'optional' }))).effect).toBe('allow');
  });
});

describe('sign out everywhere in the same second as a sign-in', () => {
  // The cut-off falls 400 ms into the sign-in's second.
  const cutOffMs = authTime * 1000 + 400;
  const signedOut = { user: user({ tokensNotBeforeMs: cutOffMs }) };

  it('refuses a sign-in earlier in that second', async () => {
    const token = claims({ signedInAtMs: cutOffMs - 200 });
    expect(await decideUser(token, 'us-east-1', reads(signedOut), now)).toEqual({
      effect: 'unauthorized',
      reason: 'signed out everywhere since this sign-in',
    });
  });

  it('allows a sign-in later in that second', async () => {
    const token = claims({ signedInAtMs: cutOffMs + 200 });
    expect((await decideUser(token, 'us-east-1', reads(signedOut), now)).effect).toBe('allow');
  });

  it('allows a refreshed token of that second, whose sign-in the user pool did not sign out', async () => {
    expect((await decideUser(claims(), 'us-east-1', reads(signedOut), now)).effect).toBe('allow');
  });

  it('refuses a refreshed token of an earlier second', async () => {
    const later = { user: user({ tokensNotBeforeMs: (authTime + 1) * 1000 }) };
    expect((await decideUser(claims(), 'us-east-1', reads(later), now)).effect).toBe('unauthorized');
  });
});

describe('MFA policy', () => {
  it('owes MFA only when required, past the grace period, and the sign-in had none', () => {
    expect(owesMfa(settings(), false, now)).toBe(true);
    expect(owesMfa(settings(), true, now)).toBe(false);
    expect(owesMfa(settings({ mfaPolicy: 'optional' }), false, now)).toBe(false);
    expect(owesMfa(undefined, false, now)).toBe(false);
    expect(owesMfa(settings({ mfaGraceDays: 60 }), false, now)).toBe(false);
    expect(owesMfa(settings({ mfaGraceDays: 31 }), false, now)).toBe(true);
  });
});
