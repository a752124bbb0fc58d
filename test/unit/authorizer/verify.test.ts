import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  decide,
  refusalDetail,
  shouldRecordUse,
  type CredentialReads,
} from '../../../functions/authorizer/verify.ts';
import type { ApiKeyItem, TenantItem } from '../../../libs/data/entities.ts';
import { apiKeyFixture, sampleTenantId, tenantItem } from '../../support/items.ts';

const tenantId = sampleTenantId;
const tenant = tenantItem;
const keyFor = apiKeyFixture;

function reads(key: ApiKeyItem | undefined, t: TenantItem | undefined): CredentialReads {
  return { getApiKey: () => Promise.resolve(key), getTenant: () => Promise.resolve(t) };
}

describe('authorizer decisions', () => {
  it('allows an active tenant key with the key scopes as permissions', async () => {
    const { token, item } = keyFor({ kind: 'tenant', tenantId });
    const decision = await decide(token, 'us-east-1', reads(item, tenant()));
    expect(decision.effect).toBe('allow');
    if (decision.effect !== 'allow' || decision.caller.kind !== 'tenant')
      throw new Error('expected a tenant caller');
    expect(decision.caller.tenantId).toBe(tenantId);
    expect([...decision.caller.permissions]).toEqual(['tenant:read']);
  });

  it('denies a suspended tenant with tenant_suspended', async () => {
    const { token, item } = keyFor({ kind: 'tenant', tenantId });
    const decision = await decide(token, 'us-east-1', reads(item, tenant({ status: 'suspended' })));
    expect(decision).toMatchObject({ effect: 'deny', code: 'tenant_suspended' });
  });

  it('denies a tenant called in another region with wrong_region', async () => {
    const { token, item } = keyFor({ kind: 'tenant', tenantId });
    const decision = await decide(token, 'eu-central-1', reads(item, tenant()));
    expect(decision).toMatchObject({ effect: 'deny', code: 'wrong_region' });
  });

  it('refuses a revoked key, a wrong secret and an unknown key as unauthorized', async () => {
    const { token, item } = keyFor({ kind: 'tenant', tenantId });
    const revoked = await decide(token, 'us-east-1', reads({ ...item, status: 'revoked' }, tenant()));
    const other = keyFor({ kind: 'tenant', tenantId });
    const wrongSecret = await decide(
      token,
      'us-east-1',
      reads({ ...item, secretHash: other.item.secretHash }, tenant()),
    );
    const unknown = await decide(token, 'us-east-1', reads(undefined, tenant()));
    expect([revoked.effect, wrongSecret.effect, unknown.effect]).toEqual([
      'unauthorized',
      'unauthorized',
      'unauthorized',
    ]);
  });

  it('tells a revoked key, an expired token, an ID token, a revoked session and a deactivated user apart', () => {
    const reasons = [
      'unknown key',
      'revoked key',
      'expired token',
      'id token',
      'token of another app client',
      'token of another user pool',
      'revoked session',
      'deactivated user',
      'signed out everywhere since this sign-in',
    ];
    const details = reasons.map(refusalDetail);
    expect(new Set(details).size).toBe(reasons.length);
    expect(details).not.toContain(refusalDetail('a reason nobody gave'));
  });

  it('gives a platform key the platform permissions and no tenant', async () => {
    const { token, item } = keyFor({ kind: 'platform' });
    const decision = await decide(token, 'us-east-1', reads(item, undefined));
    if (decision.effect !== 'allow') throw new Error('expected allow');
    expect(decision.caller.kind).toBe('platform');
    expect(decision.caller.permissions.has('platform.tenants:write')).toBe(true);
  });

  it('reads the bearer token case-insensitively and nothing else', () => {
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('records key use at most once a minute', () => {
    const { item } = keyFor({ kind: 'tenant', tenantId });
    const now = new Date('2026-01-01T00:10:00.000Z');
    expect(shouldRecordUse(item, now)).toBe(true);
    expect(shouldRecordUse({ ...item, lastUsedAt: '2026-01-01T00:09:30.000Z' }, now)).toBe(false);
    expect(shouldRecordUse({ ...item, lastUsedAt: '2026-01-01T00:08:00.000Z' }, now)).toBe(true);
  });
});
