// The authorizer's environment, parsed once at cold start. It needs only its region, table and user
// pool, so it parses just those (with zod's small build) instead of the whole deployment config.
import * as z from 'zod/mini';

export const authorizerEnvSchema = z.object({
  PLINTH_REGION: z.string().check(z.minLength(1)),
  TABLE_NAME: z.string().check(z.minLength(1)),
  /** The region's Cognito user pool; without it, only API keys are accepted. */
  USER_POOL_ID: z.optional(z.string().check(z.regex(/^[\w-]+_[0-9a-zA-Z]+$/))),
  /** App clients whose access tokens are accepted, comma-separated. */
  USER_POOL_CLIENT_IDS: z.optional(z.string()),
  /** One machine only: where the local identity issuer serves its JWKS. */
  IDENTITY_JWKS_URL: z.optional(z.url()),
  /** Set by the local runtime, the only place where IDENTITY_JWKS_URL is honoured. */
  PLINTH_LOCAL: z.optional(z.enum(['true', 'false'])),
});

export interface UserPoolConfig {
  userPoolId: string;
  clientIds: string[];
  /** Set on one machine; on AWS the verifier fetches the pool's JWKS from Cognito. */
  jwksUrl: string | undefined;
}

export interface AuthorizerConfig {
  region: string;
  tableName: string;
  userPool: UserPoolConfig | undefined;
}

export function loadAuthorizerConfig(env: NodeJS.ProcessEnv = process.env): AuthorizerConfig {
  const parsed = authorizerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`invalid authorizer environment: missing or invalid ${fields}`);
  }
  const e = parsed.data;
  const clientIds = (e.USER_POOL_CLIENT_IDS ?? '').split(',').filter((id) => id.length > 0);
  if (e.USER_POOL_ID && clientIds.length === 0) {
    throw new Error('invalid authorizer environment: USER_POOL_ID is set but USER_POOL_CLIENT_IDS is empty');
  }
  // Keys from anywhere but Cognito would let whoever controls that URL mint tokens for any tenant.
  if (e.IDENTITY_JWKS_URL !== undefined && e.PLINTH_LOCAL !== 'true') {
    throw new Error('invalid authorizer environment: IDENTITY_JWKS_URL is honoured on one machine only');
  }
  return {
    region: e.PLINTH_REGION,
    tableName: e.TABLE_NAME,
    userPool: e.USER_POOL_ID
      ? { userPoolId: e.USER_POOL_ID, clientIds, jwksUrl: e.IDENTITY_JWKS_URL }
      : undefined,
  };
}
