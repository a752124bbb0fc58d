// Issuing API keys against a real DynamoDB (Local): a tenant caller gives a key only scopes it holds.
import { beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../../functions/tenants/api-keys.ts';
import type { TenantsDeps } from '../../../functions/tenants/context.ts';
import { createTenantEntities } from '../../../functions/tenants/entities.ts';
import { createTenantStore } from '../../../functions/tenants/store.ts';
import type { CallerContext } from '../../../libs/auth/caller.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { functionEnv } from '../../support/function-env.ts';
import { createTestTables } from '../../support/tables.ts';
import { problemOf } from '../../support/problems.ts';
import { apiKeyCaller } from '../invitations/fixtures.ts';
import { testMailBox } from '../../support/mail.ts';

let deps: TenantsDeps;

beforeAll(async () => {
  const tables = await createTestTables();
  const entities = createTenantEntities({
    client: tables.client,
    tableName: tables.tableName,
    directoryTableName: tables.directoryTableName,
  });
  deps = {
    store: createTenantStore(entities),
    config: loadRuntimeConfig(functionEnv({ TABLE_NAME: tables.tableName })),
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    mailBox: testMailBox,
  };
});

const platform: CallerContext = {
  kind: 'platform',
  principalId: 'key_admin',
  credentialId: 'key_admin',
  permissions: new Set(['platform.api-keys:write']),
};

describe('issuing API keys', () => {
  it('a tenant key cannot give a new key a scope it lacks: 403 naming it, and no key is written', async () => {
    const tenant = await deps.store.createTenant(
      { name: 'Keys', slug: 'keys-not-held', plan: 'starter', homeRegion: 'us-east-1' },
      { type: 'platform_admin', id: 'key_admin' },
    );
    const caller = apiKeyCaller(tenant.tenantId, ['api-keys:write', 'tenant:read']);

    const refused = await problemOf(
      issueApiKey(deps, tenant.tenantId, { name: 'x', scopes: ['tenant:read', 'webhooks:secrets'] }, caller),
    );
    const listed = await deps.store.listApiKeys(tenant.tenantId, { limit: 10 });
    const issued = await issueApiKey(deps, tenant.tenantId, { name: 'y', scopes: ['tenant:read'] }, caller);

    expect([refused.status, refused.code, refused.extensions]).toEqual([
      403,
      'permission_not_held',
      { permissions: ['webhooks:secrets'] },
    ]);
    expect(listed.items).toHaveLength(0);
    expect(issued.scopes).toEqual(['tenant:read']);
  });

  it("the platform grants a tenant's key any tenant scope", async () => {
    const tenant = await deps.store.createTenant(
      { name: 'Keys', slug: 'keys-platform', plan: 'starter', homeRegion: 'us-east-1' },
      { type: 'platform_admin', id: 'key_admin' },
    );

    const issued = await issueApiKey(
      deps,
      tenant.tenantId,
      { name: 'ops', scopes: ['webhooks:secrets', 'api-keys:write'] },
      platform,
    );

    expect(issued.scopes).toEqual(['webhooks:secrets', 'api-keys:write']);
  });
});
