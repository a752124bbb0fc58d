// Domain claims over a real DynamoDB (Local) and a real DNS server on loopback: a claim is verified
// only by its own TXT record, a domain belongs to one tenant, and another tenant's claim is a 404.
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import type { SsoDeps } from '../../../functions/sso/context.ts';
import { createTxtLookup } from '../../../functions/sso/domains.ts';
import { createSsoEntities, type SsoEntities } from '../../../functions/sso/entities.ts';
import { domainRoutes } from '../../../functions/sso/routes/domains.ts';
import { createSsoStore } from '../../../functions/sso/store.ts';
import { startLocalDns, type LocalDns } from '../../../infra/local/dns.ts';
import type { Problem } from '../../../libs/http/problem.ts';
import { functionEnv } from '../../support/function-env.ts';
import { holdWrites } from '../../support/held-writes.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';
import { oidcRouteDeps } from '../../support/sso.ts';

let dns: LocalDns;
let entities: SsoEntities;
let api: ApiHandler;
const maxDomains = 3;

beforeAll(async () => {
  const tables = await createTestTables();
  dns = await startLocalDns();
  entities = createSsoEntities(tables);
  const deps: SsoDeps = {
    store: createSsoStore(entities),
    lookupTxt: createTxtLookup([dns.server]),
    runtime: loadRuntimeConfig(functionEnv({ TABLE_NAME: tables.tableName })),
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    maxDomainsPerTenant: maxDomains,
    maxConnectionsPerTenant: 2,
    ...oidcRouteDeps(),
  };
  api = createApiHandler({
    serviceName: 'sso',
    logger: new Logger({ logLevel: 'SILENT' }),
    routes: domainRoutes(deps),
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });
});

afterAll(() => dns.stop());

type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown> }>;

function callAs(tenantId: string, permissions: string[] = [...tenantPermissions]): Call {
  const caller = tenantCaller(permissions, tenantId);
  return async (method, path, body) => {
    const res = await api(apiEvent({ method, path, caller, body }), lambdaContext());
    return { status: res.statusCode, body: res.body ? json(res.body) : {} };
  };
}

const newTenant = () => callAs(`ten_${ulid()}`);
/** A domain no other test uses, under the `.test` TLD reserved for testing (RFC 2606). */
const newDomain = () => `d${ulid().toLowerCase()}.test`;
const publish = (claim: Record<string, unknown>) => {
  const record = claim.verification as { name: string; value: string };
  dns.setTxt(record.name, [record.value]);
};

async function eventTypes(tenantId: string): Promise<string[]> {
  const { data } = await entities.event.query.byTenant({ tenantId }).go();
  return data.map((e) => e.type);
}

describe('claiming a domain', () => {
  it('answers a pending claim with the TXT record to publish, in canonical form', async () => {
    const call = newTenant();
    const name = newDomain();
    const created = await call('POST', '/v1/domains', { domain: ` ${name.toUpperCase()}. ` });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      domain: name,
      status: 'pending',
      verification: {
        type: 'TXT',
        name: `_plinth-verification.${name}`,
        value: expect.stringMatching(/^plinth-domain-verification=[A-Za-z0-9_-]{32}$/) as unknown,
      },
    });
    expect((await call('GET', `/v1/domains/${name}`)).body).toEqual(created.body);
    expect((await call('GET', '/v1/domains')).body.items).toEqual([created.body]);
  });

  it('stores an internationalised domain in its ASCII form', async () => {
    const call = newTenant();
    const unicode = `bücher-${ulid().toLowerCase()}.test`;
    const created = await call('POST', '/v1/domains', { domain: unicode });
    expect(created.status).toBe(201);
    expect(created.body.domain).toMatch(/^xn--bcher-.*\.test$/);
  });

  it.each([
    ['gmail.com', 'public_mail_domain'],
    ['outlook.com', 'public_mail_domain'],
    ['co.uk', 'public_suffix'],
    ['github.io', 'public_suffix'],
    ['localhost', 'public_suffix'],
    ['192.168.1.10', 'invalid_domain'],
    ['exa mple.com', 'invalid_domain'],
    ['-acme.com', 'invalid_domain'],
    ['', 'invalid_domain'],
  ])('refuses %j with a field error %s', async (domain, code) => {
    const res = await newTenant()('POST', '/v1/domains', { domain });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.domain', code }] });
  });

  it('refuses the same domain twice in one tenant, and more than the limit', async () => {
    const call = newTenant();
    const name = newDomain();
    expect((await call('POST', '/v1/domains', { domain: name })).status).toBe(201);
    const again = await call('POST', '/v1/domains', { domain: name });
    expect([again.status, again.body.code]).toEqual([409, 'domain_exists']);

    for (let i = 1; i < maxDomains; i += 1) {
      expect((await call('POST', '/v1/domains', { domain: newDomain() })).status).toBe(201);
    }
    const over = await call('POST', '/v1/domains', { domain: newDomain() });
    expect([over.status, over.body.code, over.body.limit]).toEqual([409, 'limit_reached', maxDomains]);
  });

  it('needs sso:write to claim and sso:read to list', async () => {
    const tenantId = `ten_${ulid()}`;
    const reader = callAs(tenantId, ['sso:read']);
    const claim = await reader('POST', '/v1/domains', { domain: newDomain() });
    expect([claim.status, claim.body.permission]).toEqual([403, 'sso:write']);
    const list = await callAs(tenantId, ['tenant:read'])('GET', '/v1/domains');
    expect([list.status, list.body.permission]).toEqual([403, 'sso:read']);
  });
});

describe('verifying a domain', () => {
  it('stays pending without the record, saying what DNS answered', async () => {
    const call = newTenant();
    const name = newDomain();
    await call('POST', '/v1/domains', { domain: name });

    const missing = await call('POST', `/v1/domains/${name}/verify`);
    expect([missing.status, missing.body.code]).toEqual([422, 'domain_not_verified']);
    expect(missing.body.detail).toContain(`no TXT record was found at _plinth-verification.${name}`);

    dns.setTxt(`_plinth-verification.${name}`, ['plinth-domain-verification=someone-elses-token']);
    const wrong = await call('POST', `/v1/domains/${name}/verify`);
    expect([wrong.status, wrong.body.code]).toEqual([422, 'domain_not_verified']);
    expect(wrong.body.detail).toContain("none with this claim's token");

    const claim = (await call('GET', `/v1/domains/${name}`)).body;
    expect(claim).toMatchObject({
      status: 'pending',
      lastCheckError: expect.stringContaining('none with') as unknown,
    });
  });

  it('verifies with the record, claims the domain deployment-wide, and emits domain.verified', async () => {
    const tenantId = `ten_${ulid()}`;
    const call = callAs(tenantId);
    const name = newDomain();
    const created = (await call('POST', '/v1/domains', { domain: name })).body;
    // The record may sit beside others at the name, as TXT records often do.
    const record = created.verification as { name: string; value: string };
    dns.setTxt(record.name, ['v=spf1 -all', record.value]);

    const verified = await call('POST', `/v1/domains/${name}/verify`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ status: 'verified', verifiedAt: expect.any(String) as unknown });
    expect(verified.body).not.toHaveProperty('lastCheckError');
    const { data: claim } = await entities.domainClaim.get({ domain: name }).go();
    expect(claim).toMatchObject({ tenantId, homeRegion: 'us-east-1' });
    expect(await eventTypes(tenantId)).toEqual(['domain.created', 'domain.verified']);

    // Checking again changes nothing.
    const again = await call('POST', `/v1/domains/${name}/verify`);
    expect(again.body).toEqual(verified.body);
    expect(await eventTypes(tenantId)).toHaveLength(2);
  });

  it('answers 503 dns_unavailable when DNS cannot be asked, leaving the claim pending', async () => {
    const tables = await createTestTables();
    const silent = await startLocalDns();
    const server = silent.server;
    await silent.stop();
    const store = createSsoStore(createSsoEntities(tables));
    const unreachable = createApiHandler({
      serviceName: 'sso',
      logger: new Logger({ logLevel: 'SILENT' }),
      routes: domainRoutes({
        store,
        lookupTxt: createTxtLookup([server]),
        runtime: loadRuntimeConfig(functionEnv()),
        cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
        maxDomainsPerTenant: 1,
        maxConnectionsPerTenant: 1,
        ...oidcRouteDeps(),
      }),
      idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    });
    const caller = tenantCaller([...tenantPermissions], `ten_${ulid()}`);
    const name = newDomain();
    await unreachable(
      apiEvent({ method: 'POST', path: '/v1/domains', caller, body: { domain: name } }),
      lambdaContext(),
    );
    const res = await unreachable(
      apiEvent({ method: 'POST', path: `/v1/domains/${name}/verify`, caller }),
      lambdaContext(),
    );
    expect([res.statusCode, json(res.body).code]).toEqual([503, 'dns_unavailable']);
  });
});

describe('one domain, one tenant', () => {
  it("another tenant's claim is a 404 on every route", async () => {
    const owner = newTenant();
    const other = newTenant();
    const name = newDomain();
    await owner('POST', '/v1/domains', { domain: name });

    for (const [method, path] of [
      ['GET', `/v1/domains/${name}`],
      ['POST', `/v1/domains/${name}/verify`],
      ['DELETE', `/v1/domains/${name}`],
    ] as const) {
      const res = await other(method, path);
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect((await other('GET', '/v1/domains')).body.items).toEqual([]);
    expect((await owner('GET', `/v1/domains/${name}`)).status).toBe(200);
  });

  it('refuses a domain another tenant verified, at claim and at verification', async () => {
    const first = newTenant();
    const second = newTenant();
    const name = newDomain();
    // Both claim while it is free; the first to prove it wins.
    const firstClaim = (await first('POST', '/v1/domains', { domain: name })).body;
    const secondClaim = (await second('POST', '/v1/domains', { domain: name })).body;
    publish(firstClaim);
    expect((await first('POST', `/v1/domains/${name}/verify`)).status).toBe(200);

    dns.setTxt(`_plinth-verification.${name}`, [
      (firstClaim.verification as { value: string }).value,
      (secondClaim.verification as { value: string }).value,
    ]);
    const late = await second('POST', `/v1/domains/${name}/verify`);
    expect([late.status, late.body.code]).toEqual([409, 'domain_taken']);
    expect((await second('GET', `/v1/domains/${name}`)).body.status).toBe('pending');

    const third = await newTenant()('POST', '/v1/domains', { domain: name });
    expect([third.status, third.body.code]).toEqual([409, 'domain_taken']);
  });

  it('frees a verified domain when its tenant removes it', async () => {
    const firstId = `ten_${ulid()}`;
    const first = callAs(firstId);
    const second = newTenant();
    const name = newDomain();
    publish((await first('POST', '/v1/domains', { domain: name })).body);
    await first('POST', `/v1/domains/${name}/verify`);

    expect((await first('DELETE', `/v1/domains/${name}`)).status).toBe(204);
    expect((await first('GET', `/v1/domains/${name}`)).status).toBe(404);
    expect((await entities.domainClaim.get({ domain: name }).go()).data).toBeNull();
    expect(await eventTypes(firstId)).toEqual(['domain.created', 'domain.verified', 'domain.deleted']);

    publish((await second('POST', '/v1/domains', { domain: name })).body);
    expect((await second('POST', `/v1/domains/${name}/verify`)).body.status).toBe('verified');
  });

  it('lets only one of two tenants verifying at once win', async () => {
    const a = newTenant();
    const b = newTenant();
    const name = newDomain();
    const claims = [
      (await a('POST', '/v1/domains', { domain: name })).body,
      (await b('POST', '/v1/domains', { domain: name })).body,
    ];
    dns.setTxt(
      `_plinth-verification.${name}`,
      claims.map((c) => (c.verification as { value: string }).value),
    );
    const results = await Promise.all([
      a('POST', `/v1/domains/${name}/verify`),
      b('POST', `/v1/domains/${name}/verify`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe('races between removal and verification', () => {
  it('never leaves a directory claim behind a removed domain', async () => {
    const tables = await createTestTables();
    const store = createSsoStore(createSsoEntities(tables));
    const held = holdWrites(tables.endpoint);
    const slowStore = createSsoStore(createSsoEntities({ ...tables, client: held.client }));
    const tenantId = `ten_${ulid()}`;
    const actor = { type: 'user', id: 'usr_1' };
    const name = newDomain();
    const pending = await store.addDomain(
      { tenantId, domain: name, verificationToken: 't', createdBy: 'usr_1' },
      5,
      actor,
    );

    // The removal read the claim while pending; the verification lands before its write.
    const removal = slowStore.removeDomain(pending, actor).then(
      () => 'removed',
      (error: unknown) => (error as Problem).code,
    );
    await held.waiting;
    await store.markVerified(pending, 'us-east-1', actor);
    held.release();

    expect(await removal).toBe('concurrent_update');
    const domain = await store.getDomain(tenantId, name);
    const claim = await store.claimOf(name);
    expect([domain?.status, claim?.tenantId]).toEqual(['verified', tenantId]);
  });
});
