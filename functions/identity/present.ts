// Turns stored identity items into the API's resources and events' snapshots: nothing internal
// (keys, tokensNotBeforeMs, TTLs) leaves here.
import { builtInRoles, type BuiltInRole } from '../../libs/auth/roles.ts';
import type { RoleItem, SessionItem, UserItem } from '../../libs/data/identity-entities.ts';

/** What events carry of a user. */
export function userSnapshot(u: UserItem) {
  return { id: u.userId, email: u.email, name: u.name, roles: u.roles, status: u.status };
}

export function userResource(u: UserItem) {
  return {
    ...userSnapshot(u),
    emailVerified: u.emailVerified,
    mfaEnrolled: u.mfaEnrolled,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    ...(u.lastSignInAt !== undefined ? { lastSignInAt: u.lastSignInAt } : {}),
  };
}

export function meResource(
  u: UserItem,
  caller: { tenantId: string; permissions: ReadonlySet<string>; mfaPending: boolean },
) {
  return {
    ...userResource(u),
    tenantId: caller.tenantId,
    permissions: [...caller.permissions].sort(),
    mfaRequired: caller.mfaPending,
  };
}

/** `currentSessionId`: the caller's own session, marked `current` in their list. */
export function sessionResource(s: SessionItem, currentSessionId?: string) {
  return {
    id: s.sessionId,
    userId: s.userId,
    userAgent: s.userAgent,
    ip: s.ip,
    startedAt: s.startedAt,
    lastSeenAt: s.lastSeenAt,
    current: s.sessionId === currentSessionId,
    ...(s.connectionId !== undefined
      ? { signIn: { method: 'sso' as const, connectionId: s.connectionId, mfa: s.ssoMfa === true } }
      : {}),
  };
}

/** What events carry of a custom role. */
export function roleSnapshot(r: RoleItem) {
  return {
    id: r.roleId,
    name: r.name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    permissions: r.permissions,
  };
}

export function roleResource(r: RoleItem) {
  return { ...roleSnapshot(r), builtIn: false, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

export function builtInRoleResource(r: BuiltInRole) {
  return {
    id: r.name,
    name: r.name,
    description: r.description,
    permissions: [...r.permissions],
    builtIn: true,
  };
}

export const builtInRoleResources = Object.values(builtInRoles).map(builtInRoleResource);
