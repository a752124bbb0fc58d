// Decides who a bearer token belongs to and whether it may call the API now. Pure apart from the
// two reads it is given, so every rule is unit-tested without AWS.
import { parseApiKey, secretMatches } from '../../libs/auth/api-key.ts';
import type { CallerContext } from '../../libs/auth/caller.ts';
import { platformPermissions } from '../../libs/auth/permissions.ts';
import type { ApiKeyItem, TenantItem } from '../../libs/data/entities.ts';

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

/** Last use is recorded at most once a minute per key, so a busy key costs no write per call. */
export function shouldRecordUse(key: ApiKeyItem, now: Date): boolean {
  return key.lastUsedAt === undefined || now.getTime() - Date.parse(key.lastUsedAt) > 60_000;
}
