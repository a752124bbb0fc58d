// Decides who a bearer token belongs to and whether it may call the API now. Pure apart from the
// two reads it is given, so every rule is unit-tested without AWS.
import { parseApiKey, secretMatches } from '../../libs/auth/api-key.ts';
import type { CallerContext } from '../../libs/auth/caller.ts';
import { platformPermissions } from '../../libs/auth/permissions.ts';
import type { ApiKeyItem, TenantItem } from '../../libs/data/entities.ts';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  KidNotFoundInJwksError,
  ParameterValidationError,
} from 'aws-jwt-verify/error';

export type Decision =
  | { effect: 'allow'; caller: CallerContext; key: ApiKeyItem }
  | { effect: 'deny'; code: string; detail: string; tenantId: string }
  | { effect: 'unauthorized'; reason: string };

export interface CredentialReads {
  getApiKey: (ownerId: string, keyId: string) => Promise<ApiKeyItem | undefined>;
  getTenant: (tenantId: string) => Promise<TenantItem | undefined>;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export async function decide(
  token: string | undefined,
  region: string,
  reads: CredentialReads,
): Promise<Decision> {
  if (!token) return { effect: 'unauthorized', reason: 'no bearer token' };
  const parsed = parseApiKey(token);
  if (!parsed) return { effect: 'unauthorized', reason: 'not a Plinth credential' };

  const ownerId = parsed.kind === 'tenant' ? parsed.tenantId : 'platform';
  const [key, tenant] = await Promise.all([
    reads.getApiKey(ownerId, parsed.keyId),
    parsed.kind === 'tenant' ? reads.getTenant(parsed.tenantId) : Promise.resolve(undefined),
  ]);
  if (!key || !secretMatches(parsed.secret, key.secretHash))
    return { effect: 'unauthorized', reason: 'unknown key' };
  if (key.status !== 'active') return { effect: 'unauthorized', reason: 'revoked key' };

  if (parsed.kind === 'platform') {
    return {
      effect: 'allow',
      key,
      caller: {
        kind: 'platform',
        principalId: key.keyId,
        credentialId: key.keyId,
        permissions: new Set(platformPermissions),
      },
    };
  }

  const refused = tenantGate(tenant, region);
  if (refused || !tenant) return refused ?? { effect: 'unauthorized', reason: 'tenant not found' };
  return {
    effect: 'allow',
    key,
    caller: {
      kind: 'tenant',
      tenantId: tenant.tenantId,
      principalType: 'api_key',
      principalId: key.keyId,
      credentialId: key.keyId,
      plan: tenant.plan,
      permissions: new Set(key.scopes),
    },
  };
}

/** Refuses a credential of a missing, suspended or other-region tenant; undefined lets it through. */
export function tenantGate(
  tenant: TenantItem | undefined,
  region: string,
): Extract<Decision, { effect: 'deny' | 'unauthorized' }> | undefined {
  if (!tenant) return { effect: 'unauthorized', reason: 'tenant not found' };
  if (tenant.status === 'suspended') {
    return {
      effect: 'deny',
      code: 'tenant_suspended',
      detail: 'This tenant is suspended; its credentials do not work until it is resumed.',
      tenantId: tenant.tenantId,
    };
  }
  if (tenant.homeRegion !== region) {
    return {
      effect: 'deny',
      code: 'wrong_region',
      detail: `This tenant lives in ${tenant.homeRegion}; call that region's API.`,
      tenantId: tenant.tenantId,
    };
  }
  return undefined;
}

/**
 * What a refused client is told, by refusal reason (those of {@link decide}, of a token's
 * verification and of `decideUser`). An unknown key and a wrong secret share a reason, so the
 * answer never says whether a key id exists.
 */
const refusalDetails: Record<string, string> = {
  'no bearer token': 'Send the credential as "Authorization: Bearer <token>".',
  'not a Plinth credential': 'The bearer token is neither a Plinth API key nor an access token.',
  'unknown key': 'The API key is not valid.',
  'revoked key': 'This API key has been revoked.',
  'tenant not found': "The credential's tenant does not exist.",
  'no user pool is configured': 'This API accepts API keys only, not user access tokens.',
  'expired token': 'The access token has expired; refresh it and try again.',
  'id token': 'This is an ID token; send the access token instead.',
  'token of another app client': 'The access token was issued to an app client this API does not accept.',
  'token of another user pool': 'The access token was issued by another user pool.',
  'token not verified': 'The access token could not be verified.',
  'token has no tenant': 'The access token names no tenant.',
  'token has no origin_jti': 'The access token names no sign-in.',
  'unknown user': 'The user of this access token does not exist.',
  'deactivated user': 'This user has been deactivated.',
  'signed out everywhere since this sign-in': 'This sign-in was signed out everywhere; sign in again.',
  'revoked session': 'This session has been revoked; sign in again.',
};

export function refusalDetail(reason: string): string {
  return refusalDetails[reason] ?? 'A valid credential is required.';
}

/**
 * Why aws-jwt-verify refused a token, as a refusal reason; its errors all carry the name `Error`.
 * An error that says nothing about the token (the pool's keys could not be fetched or read) is
 * rethrown: it is the authorizer failing, which API Gateway answers 500 and the errors alarm sees,
 * not a caller to answer 401.
 */
export function tokenRefusalReason(error: unknown): string {
  if (
    !(error instanceof JwtBaseError) ||
    error instanceof FetchError ||
    error instanceof JwksValidationError ||
    error instanceof JwksNotAvailableInCacheError
  ) {
    throw error;
  }
  if (error instanceof JwtExpiredError) return 'expired token';
  if (error instanceof CognitoJwtInvalidTokenUseError) return 'id token';
  if (error instanceof CognitoJwtInvalidClientIdError) return 'token of another app client';
  if (
    error instanceof JwtInvalidIssuerError ||
    error instanceof KidNotFoundInJwksError ||
    (error instanceof ParameterValidationError && error.message.startsWith('issuer not configured'))
  ) {
    return 'token of another user pool';
  }
  return 'token not verified';
}

/** Last use is recorded at most once a minute per key, so a busy key costs no write per call. */
export function shouldRecordUse(key: ApiKeyItem, now: Date): boolean {
  return key.lastUsedAt === undefined || now.getTime() - Date.parse(key.lastUsedAt) > 60_000;
}
