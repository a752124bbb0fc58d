// Decides whether a verified Cognito access token may call the API now: the user must exist in the
// token's tenant and be active, the sign-in (session) must not be revoked, and the token must be
// newer than the user's last "sign out everywhere". Pure apart from the reads it is given.
import type { CallerContext } from '../../libs/auth/caller.ts';
import { isBuiltInRole, permissionsOf } from '../../libs/auth/roles.ts';
import { ssoRequiredFor } from '../../libs/auth/sso-policy.ts';
import type { TenantItem } from '../../libs/data/entities.ts';
import type {
  IdentitySettingsItem,
  RoleItem,
  SessionItem,
  UserItem,
} from '../../libs/data/identity-entities.ts';
import type { AccessTokenClaims } from './jwt.ts';
import { tenantGate, type Decision } from './verify.ts';

export interface UserState {
  tenant: TenantItem | undefined;
  user: UserItem | undefined;
  settings: IdentitySettingsItem | undefined;
  session: SessionItem | undefined;
}

export interface UserReads {
  getUserState(tenantId: string, userId: string, sessionId: string): Promise<UserState>;
  getCustomRoles(tenantId: string, roleIds: readonly string[]): Promise<RoleItem[]>;
  isVerifiedDomain(tenantId: string, domain: string): Promise<boolean>;
}

export type UserDecision =
  | { effect: 'allow'; caller: CallerContext; user: UserItem; session: SessionItem | undefined }
  | Exclude<Decision, { effect: 'allow' }>;

const dayMillis = 86_400_000;

/**
 * Whether the token's sign-in happened no later than `cutOffMs` (a "sign out everywhere"). Tokens from
 * a sign-in carry its millisecond; a refreshed token has only auth_time's second and counts as signed
 * in at the end of it: a sign-in earlier in the cut-off's second cannot refresh after it, as the user
 * pool revokes its refresh token with the cut-off.
 */
export function signedInBy(claims: AccessTokenClaims, cutOffMs: number): boolean {
  const signedInAtMs = claims.signedInAtMs ?? claims.authTime * 1000 + 999;
  return signedInAtMs <= cutOffMs;
}

/**
 * Whether the tenant's policy demands MFA that this token lacks: the policy is `required`, the grace
 * period since it became required is over, and the sign-in had no MFA challenge.
 */
export function owesMfa(settings: IdentitySettingsItem | undefined, tokenMfa: boolean, now: Date): boolean {
  if (!settings || settings.mfaPolicy !== 'required' || tokenMfa) return false;
  const since = settings.mfaRequiredSince ? Date.parse(settings.mfaRequiredSince) : 0;
  return now.getTime() >= since + settings.mfaGraceDays * dayMillis;
}

export async function decideUser(
  claims: AccessTokenClaims,
  region: string,
  reads: UserReads,
  now: Date,
): Promise<UserDecision> {
  if (!claims.tenantId) return { effect: 'unauthorized', reason: 'token has no tenant' };
  if (!claims.originJti) return { effect: 'unauthorized', reason: 'token has no origin_jti' };
  const state = await reads.getUserState(claims.tenantId, claims.sub, claims.originJti);
  const refused = tenantGate(state.tenant, region);
  if (refused || !state.tenant) return refused ?? { effect: 'unauthorized', reason: 'tenant not found' };

  const { user, session } = state;
  if (!user) return { effect: 'unauthorized', reason: 'unknown user' };
  if (user.status !== 'active') return { effect: 'unauthorized', reason: 'deactivated user' };
  if (user.tokensNotBeforeMs !== undefined && signedInBy(claims, user.tokensNotBeforeMs)) {
    return { effect: 'unauthorized', reason: 'signed out everywhere since this sign-in' };
  }
  if (session?.status === 'revoked') return { effect: 'unauthorized', reason: 'revoked session' };
  // A password session of a user the tenant now signs in through SSO ends as if revoked.
  if (
    session?.connectionId === undefined &&
    (await ssoRequiredFor(state.settings, user, (t, d) => reads.isVerifiedDomain(t, d)))
  ) {
    return { effect: 'unauthorized', reason: 'the tenant requires SSO and this is a password session' };
  }

  const customRoleIds = user.roles.filter((role) => !isBuiltInRole(role));
  const customRoles =
    customRoleIds.length > 0 ? await reads.getCustomRoles(user.tenantId, customRoleIds) : [];
  return {
    effect: 'allow',
    user,
    session,
    caller: {
      kind: 'tenant',
      tenantId: user.tenantId,
      principalType: 'user',
      principalId: user.userId,
      credentialId: claims.originJti,
      plan: state.tenant.plan,
      permissions: permissionsOf(user.roles, customRoles),
      // An SSO sign-in whose IdP proved a second factor counts as MFA, for as long as its session lives.
      ...(owesMfa(state.settings, claims.mfa || session?.ssoMfa === true, now) ? { mfaPending: true } : {}),
    },
  };
}

/** Last-seen is written at most once a minute per session, so a busy session costs no write per call. */
export function shouldTouchSession(session: SessionItem, now: Date): boolean {
  return now.getTime() - Date.parse(session.lastSeenAt) > 60_000;
}
