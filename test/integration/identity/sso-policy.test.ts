// A tenant that requires SSO, over a real DynamoDB (Local): the pre authentication trigger refuses a
// password sign-in of a user in one of its verified domains with a message naming the way in, and
// lets an SSO code's custom sign-in through; an admin of such a domain can set the policy only from
// an SSO session, so nobody locks themselves out. (The authorizer's part: test/unit/authorizer.)
import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { PreAuthenticationTriggerEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IdentityDeps } from '../../../functions/identity/context.ts';
import { settingsRoutes } from '../../../functions/identity/routes/settings.ts';
import { createIdentityStore } from '../../../functions/identity/store.ts';
import { createTriggers, tenantAttribute } from '../../../functions/identity/triggers.ts';
import type { UserPool } from '../../../functions/identity/user-pool.ts';
import { ssoRequiredMessage } from '../../../libs/auth/sso-policy.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import type { TenantItem } from '../../../libs/data/entities.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { verifiedDomainItem } from '../../support/domains.ts';
import { functionEnv } from '../../support/function-env.ts';
import { newSession } from '../../support/sessions.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';
import { userCaller } from '../../unit/identity/items.ts';
import { createIdentityTables, seedTenant, seedUser, type IdentityTables } from './seed.ts';

let tables: IdentityTables;
let api: ApiHandler;
let triggers: ReturnType<typeof createTriggers>;

beforeAll(async () => {
  tables = await createIdentityTables();
  const store = createIdentityStore(tables.entities);
  triggers = createTriggers({ store, logger: new Logger({ logLevel: 'SILENT' }), clock: () => new Date() });
  const deps: IdentityDeps = {
    store,
    userPool: {} as UserPool,
    config: loadRuntimeConfig(functionEnv({ TABLE_NAME: tables.tableName })),
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    clock: () => new Date(),
  };
  api = createApiHandler({
    serviceName: 'identity',
    routes: settingsRoutes(deps),
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    logger: new Logger({ logLevel: 'SILENT' }),
  });
});

async function tenantWithDomain(policy: 'optional' | 'required') {
  const tenant = await seedTenant(tables);
  const domain = `${tenant.slug}.acme.test`;
  await tables.entities.domain.create(verifiedDomainItem(tenant.tenantId, domain)).go();
  await tables.entities.identitySettings
    .create({
      tenantId: tenant.tenantId,
      mfaPolicy: 'optional',
      mfaGraceDays: 0,
      ...(policy === 'required' ? { ssoPolicy: 'required' as const } : {}),
      updatedAt: '2026-01-01T00:00:00.000Z',
    })
    .go();
  return { tenant, domain };
}

function preAuthentication(user: UserItem, validationData?: Record<string, string>) {
  const event: PreAuthenticationTriggerEvent = {
    version: '1',
    triggerSource: 'PreAuthentication_Authentication',
    region: 'us-east-1',
    userPoolId: 'us-east-1_example',
    userName: user.userId,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    request: {
      userAttributes: { sub: user.userId, email: user.email, [tenantAttribute]: user.tenantId },
      ...(validationData ? { validationData } : {}),
    },
    response: {},
  };
  return triggers.preAuthentication(event);
}

async function proofFor(user: UserItem): Promise<string> {
  const code = randomUUID();
  await tables.entities.signInProof
    .create({
      codeHash: createHash('sha256').update(code).digest('base64url'),
      tenantId: user.tenantId,
      userId: user.userId,
      username: user.userId,
      codeChallenge: '',
      connectionId: 'con_1',
      mfa: false,
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    })
    .go();
  return code;
}

describe('password sign-in where the tenant requires SSO', () => {
  it('is refused for a user of a verified domain, with the way in', async () => {
    const { tenant, domain } = await tenantWithDomain('required');
    const ada = await seedUser(tables, tenant, { email: `ada@${domain}` });
    await expect(preAuthentication(ada)).rejects.toThrow(ssoRequiredMessage);
  });

  it('lets an SSO code for that user through, not one for someone else', async () => {
    const { tenant, domain } = await tenantWithDomain('required');
    const ada = await seedUser(tables, tenant, { email: `ada@${domain}` });
    const bob = await seedUser(tables, tenant, { email: `bob@${domain}` });
    await expect(preAuthentication(ada, { sso_code: await proofFor(ada) })).resolves.toBeDefined();
    await expect(preAuthentication(ada, { sso_code: await proofFor(bob) })).rejects.toThrow(
      ssoRequiredMessage,
    );
    await expect(preAuthentication(ada, { sso_code: 'made-up' })).rejects.toThrow(ssoRequiredMessage);
  });

  it('goes on for users outside the verified domains, and where SSO is optional', async () => {
    const { tenant } = await tenantWithDomain('required');
    const guest = await seedUser(tables, tenant, { email: 'guest@elsewhere.test' });
    await expect(preAuthentication(guest)).resolves.toBeDefined();
    const optional = await tenantWithDomain('optional');
    const cy = await seedUser(tables, optional.tenant, { email: `cy@${optional.domain}` });
    await expect(preAuthentication(cy)).resolves.toBeDefined();
  });
});

describe('requiring SSO', () => {
  const patch = (caller: Parameters<typeof apiEvent>[0]['caller']) =>
    api(
      apiEvent({ method: 'PATCH', path: '/v1/settings/identity', caller, body: { ssoPolicy: 'required' } }),
      lambdaContext(),
    );

  async function adminWithSession(tenant: TenantItem, email: string, connectionId?: string) {
    const admin = await seedUser(tables, tenant, { email, roles: ['owner'] });
    const sessionId = randomUUID();
    await tables.entities.session
      .create({
        ...newSession({
          tenantId: tenant.tenantId,
          userId: admin.userId,
          sessionId,
          authTime: Math.floor(Date.now() / 1000),
          userAgent: 'test',
          ip: '203.0.113.1',
          now: new Date(),
        }),
        ...(connectionId ? { connectionId } : {}),
      })
      .go();
    return userCaller(admin, { sessionId });
  }

  it('is refused to an admin of a verified domain signed in with a password', async () => {
    const { tenant, domain } = await tenantWithDomain('optional');
    const res = await patch(await adminWithSession(tenant, `admin@${domain}`));
    expect(res.statusCode).toBe(409);
    expect(json(res.body).code).toBe('sso_sign_in_required');
  });

  it('is allowed from an SSO session, to an admin outside the domains, and to an API key', async () => {
    const first = await tenantWithDomain('optional');
    const sso = await patch(await adminWithSession(first.tenant, `admin@${first.domain}`, 'con_1'));
    expect(sso.statusCode).toBe(200);
    expect(json(sso.body).ssoPolicy).toBe('required');

    const second = await tenantWithDomain('optional');
    expect((await patch(await adminWithSession(second.tenant, 'ops@elsewhere.test'))).statusCode).toBe(200);

    const third = await tenantWithDomain('optional');
    const key = tenantCaller(['tenant:write', 'tenant:read'], third.tenant.tenantId);
    expect((await patch(key)).statusCode).toBe(200);
  });
});
