// A session item as the authorizer opens it on a sign-in's first call, for tests that seed sessions.
import type { SessionItem } from '../../libs/data/identity-entities.ts';
import { sessionLifetimeSeconds } from '../../libs/data/primary-keys.ts';

/** The session item for a sign-in first seen now; it lives as long as the sign-in's refresh token. */
export function newSession(input: {
  tenantId: string;
  userId: string;
  /** The token's origin_jti. */
  sessionId: string;
  authTime: number;
  userAgent: string;
  ip: string;
  now: Date;
}): SessionItem {
  return {
    tenantId: input.tenantId,
    userId: input.userId,
    sessionId: input.sessionId,
    userAgent: input.userAgent,
    ip: input.ip,
    startedAt: new Date(input.authTime * 1000).toISOString(),
    lastSeenAt: input.now.toISOString(),
    status: 'active',
    expiresAt: input.authTime + sessionLifetimeSeconds,
  };
}
