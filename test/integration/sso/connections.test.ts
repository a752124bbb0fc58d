// SAML connections over a real DynamoDB (Local), configured from a real (samlify) IdP's metadata: the
// connection's settings then verify that IdP's signed responses, another tenant's connection is a
// 404, and bad metadata or certificates are 400s naming the field.
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { createTxtLookup } from '../../../functions/sso/domains.ts';
import { createSsoEntities, type SsoEntities } from '../../../functions/sso/entities.ts';
import { connectionRoutes } from '../../../functions/sso/routes/connections.ts';
import { verifySamlResponse } from '../../../functions/sso/saml.ts';
import { createSsoStore } from '../../../functions/sso/store.ts';
import { createLocalSamlIdp, newSamlIdpKeys, type LocalSamlIdp } from '../../../infra/local/idps/saml-idp.ts';
import { startLocalSamlServer } from '../../../infra/local/idps/saml-server.ts';
import type { Problem } from '../../../libs/http/problem.ts';
import { functionEnv } from '../../support/function-env.ts';
import { holdWrites } from '../../support/held-writes.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';
import { oidcRouteDeps } from '../../support/sso.ts';

let entities: SsoEntities;
let api: ApiHandler;
let idp: LocalSamlIdp;
let rolledIdp: LocalSamlIdp;

beforeAll(async () => {
  const tables = await createTestTables();
  entities = createSsoEntities(tables);
  const [keys, rolled] = await Promise.all([newSamlIdpKeys(), newSamlIdpKeys('rolled')]);
  const idpAt = (k: typeof keys) =>
    createLocalSamlIdp({
      entityId: 'http://127.0.0.1:4100/saml',
      ssoUrl: 'http://127.0.0.1:4100/saml/sso',
      keys: k,
    });
  idp = idpAt(keys);
  rolledIdp = idpAt(rolled);
  api = createApiHandler({
    serviceName: 'sso',
    logger: new Logger({ logLevel: 'SILENT' }),
    routes: connectionRoutes({
      store: createSsoStore(entities),
      lookupTxt: createTxtLookup(),
      runtime: loadRuntimeConfig(functionEnv({ TABLE_NAME: tables.tableName })),
      cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
      maxDomainsPerTenant: 5,
      maxConnectionsPerTenant: 2,
      ...oidcRouteDeps(),
    }),
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });
});

type Json = Record<string, unknown>;
function callAs(tenantId: string) {
  const caller = tenantCaller([...tenantPermissions], tenantId);
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await api(
      apiEvent({ method, path, caller, body, headers: { host: '127.0.0.1:4000' } }),
      lambdaContext(),
    );
    return { status: res.statusCode, body: res.body ? json(res.body) : {} };
  };
}

const newTenant = () => {
  const tenantId = `ten_${ulid()}`;
  return { tenantId, call: callAs(tenantId) };
};

async function eventTypes(tenantId: string): Promise<string[]> {
  const { data } = await entities.event.query.byTenant({ tenantId }).go();
  return data.map((e) => e.type);
}

describe('creating a SAML connection', () => {
  it('from IdP metadata: answers the SP values, and its settings verify that IdP’s responses', async () => {
    const { tenantId, call } = newTenant();
    const created = await call('POST', '/v1/sso/connections', {
      type: 'saml',
      name: 'Acme Okta',
      saml: { metadataXml: idp.metadata() },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      type: 'saml',
      enabled: true,
      allowIdpInitiated: false,
      saml: { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl },
      attributeMapping: { email: 'email', name: 'name', groups: 'groups' },
      serviceProvider: {
        entityId: `urn:plinth:sso:${id}`,
        acsUrl: `http://127.0.0.1:4000/v1/sso/saml/${id}/acs`,
      },
    });
    expect((created.body.serviceProvider as Json).metadataXml).toContain(
      `Location="http://127.0.0.1:4000/v1/sso/saml/${id}/acs"`,
    );
    expect(await eventTypes(tenantId)).toEqual(['sso.connection.created']);

    // What was stored is what verifies the IdP's signed assertion for this SP.
    const { data: stored } = await entities.connection.get({ tenantId, connectionId: id }).go();
    const sp = created.body.serviceProvider as { entityId: string; acsUrl: string };
    const response = await idp.loginResponse({
      sp: { entityId: sp.entityId, acsUrl: sp.acsUrl },
      user: { email: 'ada@acme.test' },
      inResponseTo: '_r1',
    });
    const profile = await verifySamlResponse(
      {
        idpEntityId: stored!.idpEntityId!,
        idpCertificates: stored!.certificates!.map((c) => c.pem),
        spEntityId: sp.entityId,
        acsUrl: sp.acsUrl,
        allowIdpInitiated: stored!.allowIdpInitiated,
      },
      response,
      { expectedRequestId: '_r1', ledger: { remember: () => Promise.resolve(true) } },
    );
    expect(profile.nameId).toBe('ada@acme.test');
  });

  it('by hand: entity id, SSO URL and certificates', async () => {
    const { call } = newTenant();
    const created = await call('POST', '/v1/sso/connections', {
      type: 'saml',
      name: 'Hand-made',
      saml: {
        entityId: 'https://idp.acme.test',
        ssoUrl: 'https://idp.acme.test/sso',
        certificates: [idp.certificatePem],
      },
    });
    expect(created.status).toBe(201);
    expect((created.body.saml as { certificates: Json[] }).certificates[0]).toMatchObject({
      subject: 'CN=plinth-local-saml-idp',
    });
  });

  it.each([
    ['metadata that is not XML', { metadataXml: 'nope' }, 'body.saml.metadataXml', 'invalid_metadata'],
    [
      'SP metadata',
      {
        metadataXml:
          '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>',
      },
      'body.saml.metadataXml',
      'invalid_metadata',
    ],
    [
      'a certificate that is not one',
      { entityId: 'e', ssoUrl: 'https://idp.test/sso', certificates: ['not a certificate'] },
      'body.saml.certificates',
      'invalid_certificate',
    ],
  ])('refuses %s with a field error', async (_, saml, path, code) => {
    const res = await newTenant().call('POST', '/v1/sso/connections', { type: 'saml', name: 'Bad', saml });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ path, code }] });
  });

  it('holds the per-tenant limit', async () => {
    const { call } = newTenant();
    const body = { type: 'saml', name: 'One', saml: { metadataXml: idp.metadata() } };
    expect((await call('POST', '/v1/sso/connections', body)).status).toBe(201);
    expect((await call('POST', '/v1/sso/connections', body)).status).toBe(201);
    const over = await call('POST', '/v1/sso/connections', body);
    expect([over.status, over.body.code]).toEqual([409, 'limit_reached']);
  });
});

describe('changing and deleting', () => {
  it('rolls the certificate from new metadata, disables, and records what changed', async () => {
    const { tenantId, call } = newTenant();
    const id = (
      await call('POST', '/v1/sso/connections', {
        type: 'saml',
        name: 'Acme',
        saml: { metadataXml: idp.metadata() },
      })
    ).body.id as string;

    const rolled = await call('PATCH', `/v1/sso/connections/${id}`, {
      saml: { metadataXml: rolledIdp.metadata() },
      enabled: false,
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.enabled).toBe(false);
    const { data: events } = await entities.event.query.byTenant({ tenantId }).go();
    const updated = events.find((e) => e.type === 'sso.connection.updated');
    expect(Object.keys((updated?.data as { changes: Json }).changes).sort()).toEqual([
      'certificates',
      'enabled',
    ]);

    const unchanged = await call('PATCH', `/v1/sso/connections/${id}`, { enabled: false });
    expect(unchanged.status).toBe(200);
    expect(await eventTypes(tenantId)).toHaveLength(2);

    expect((await call('DELETE', `/v1/sso/connections/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/sso/connections/${id}`)).status).toBe(404);
    expect(await eventTypes(tenantId)).toContain('sso.connection.deleted');
  });

  it("answers 404 for another tenant's connection on every route", async () => {
    const owner = newTenant();
    const other = newTenant();
    const id = (
      await owner.call('POST', '/v1/sso/connections', {
        type: 'saml',
        name: 'Mine',
        saml: { metadataXml: idp.metadata() },
      })
    ).body.id as string;
    for (const [method, body] of [['GET'], ['PATCH', { name: 'Stolen' }], ['DELETE']] as const) {
      expect((await other.call(method, `/v1/sso/connections/${id}`, body)).status).toBe(404);
    }
    expect((await other.call('GET', '/v1/sso/connections')).body.items).toEqual([]);
    expect((await owner.call('GET', `/v1/sso/connections/${id}`)).body.name).toBe('Mine');
  });
});

describe('races', () => {
  it('refuses an update based on a connection that changed since it was read', async () => {
    const tables = await createTestTables();
    const fast = createSsoStore(createSsoEntities(tables));
    const held = holdWrites(tables.endpoint);
    const slow = createSsoStore(createSsoEntities({ ...tables, client: held.client }));
    const actor = { type: 'user', id: 'usr_1' };
    const now = new Date().toISOString();
    const item = await fast.createConnection(
      {
        tenantId: `ten_${ulid()}`,
        connectionId: `con_${ulid()}`,
        type: 'saml',
        name: 'Original',
        enabled: true,
        allowIdpInitiated: false,
        idpEntityId: 'e',
        ssoUrl: 'https://idp.test/sso',
        ssoBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        certificates: [],
        attributeMapping: { email: 'email', name: 'name', groups: 'groups' },
        createdAt: now,
        createdBy: 'usr_1',
        updatedAt: now,
      },
      5,
      actor,
    );
    const late = slow
      .updateConnection(item, { ...item, name: 'Slow' }, { name: { from: 'Original', to: 'Slow' } }, actor)
      .then(
        () => 'saved',
        (error: unknown) => (error as Problem).code,
      );
    await held.waiting;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await fast.updateConnection(
      item,
      { ...item, enabled: false },
      { enabled: { from: true, to: false } },
      actor,
    );
    held.release();
    expect(await late).toBe('concurrent_update');
    const stored = await fast.requireConnection(item.tenantId, item.connectionId);
    expect([stored.name, stored.enabled]).toEqual(['Original', false]);
  });
});

describe('a SAML connection from its metadata URL', () => {
  it('reads the IdP’s published metadata, through the URL guard, and says why a URL could not be read', async () => {
    const server = await startLocalSamlServer({});
    try {
      const { call } = newTenant();
      const created = await call('POST', '/v1/sso/connections', {
        type: 'saml',
        name: 'From its URL',
        saml: { metadataUrl: server.metadataUrl },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.saml).toMatchObject({ idpEntityId: server.entityId, ssoUrl: server.ssoUrl });

      for (const metadataUrl of [
        `${server.url}/no-such-page`,
        'http://169.254.169.254/latest/meta-data/',
        'http://127.0.0.1:1/metadata',
      ]) {
        const refused = await call('POST', '/v1/sso/connections', {
          type: 'saml',
          name: 'Unreachable',
          saml: { metadataUrl },
        });
        expect(refused.status).toBe(400);
        expect((refused.body.errors as Json[])[0]).toMatchObject({
          path: 'body.saml.metadataUrl',
          code: 'metadata_unreachable',
        });
        if (metadataUrl.includes('169.254')) {
          // Refused by the guard before any connection, not left to time out.
          expect(JSON.stringify(refused.body)).toContain('non-public address');
        }
      }
    } finally {
      await server.stop();
    }
  });
});
