// The webhook endpoint routes over a real DynamoDB (Local): what a tenant can do with its endpoints
// and their signing secrets, and what it cannot do to another tenant's.
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { loadWebhooksConfig } from '../../../functions/webhooks/config.ts';
import type { WebhooksDeps } from '../../../functions/webhooks/context.ts';
import { createDeliveryEntities } from '../../../functions/webhooks/delivery-entities.ts';
import { createDeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { openSigningSecrets } from '../../../functions/webhooks/signing.ts';
import { createWebhookEntities } from '../../../functions/webhooks/entities.ts';
import { deliveryRoutes } from '../../../functions/webhooks/routes/deliveries.ts';
import { endpointRoutes } from '../../../functions/webhooks/routes/endpoints.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { signatureHeaders } from '../../../functions/webhooks/signing.ts';
import { createWebhookStore } from '../../../functions/webhooks/store.ts';
import type { Resolver } from '../../../libs/net/url-guard.ts';
import { functionEnv } from '../../support/function-env.ts';
import { tenantItem } from '../../support/items.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';

const dayMs = 86_400_000;
let entities: ReturnType<typeof createEntities>;
let webhookEntities: ReturnType<typeof createWebhookEntities>;
let deps: WebhooksDeps;
let api: ApiHandler;
let localApi: ApiHandler;
/** Added to the real time, to move the routes' clock past the secret overlap. */
let skewMs = 0;

const resolve: Resolver = (hostname) =>
  Promise.resolve(
    {
      'hooks.example.com': ['93.184.216.34'],
      'internal.example.com': ['10.0.0.5'],
      localhost: ['127.0.0.1'],
    }[hostname]?.map((address) => ({ address, family: 4 })) ?? [],
  );

beforeAll(async () => {
  const tables = await createTestTables();
  // The routes here answer 404 before any delivery is made, so the queue is never reached.
  const queueUrl = 'http://127.0.0.1:9/unused';
  const clock = () => new Date(Date.now() + skewMs);
  const dataTables = { client: tables.client, tableName: tables.tableName };
  entities = createEntities({ ...dataTables, directoryTableName: tables.directoryTableName });
  webhookEntities = createWebhookEntities(dataTables);
  const config = (local: boolean) =>
    loadWebhooksConfig(
      functionEnv({
        TABLE_NAME: tables.tableName,
        PLINTH_LOCAL: String(local),
        ...(local ? { WEBHOOK_REFUSED_PORTS: '8000,4566' } : {}),
        WEBHOOK_DELIVERIES_QUEUE_URL: queueUrl,
        WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:deliveries',
        WEBHOOK_DELIVERIES_DLQ_URL: `${queueUrl}-dlq`,
        SCHEDULE_GROUP_NAME: 'plinth',
        SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/scheduler',
        WEBHOOK_SECRET_KEY: 'integration-webhook-secret-key-0123456789',
      }),
    );
  const aws = config(false);
  deps = {
    config: aws,
    store: createWebhookStore({ event: entities.event, job: entities.job, ...webhookEntities }, clock),
    deliveries: createDeliveryStore({
      entities: { ...createDeliveryEntities(dataTables), tenant: entities.tenant },
      sqs: new SQSClient({ region: 'us-east-1' }),
      deliveriesQueueUrl: queueUrl,
      deployment: aws.runtime.deployment,
      clock,
    }),
    secretBox: createSecretBox('integration-webhook-secret-key-0123456789'),
    rules: { put: () => Promise.resolve(), remove: () => Promise.resolve() },
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    resolve,
    clock,
  };
  const handler = (d: WebhooksDeps) =>
    createApiHandler({
      serviceName: 'webhooks',
      logger: new Logger({ logLevel: 'SILENT' }),
      routes: [...endpointRoutes(d), ...deliveryRoutes(d)],
      idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    });
  api = handler(deps);
  localApi = handler({ ...deps, config: config(true) });
});

async function newTenant(): Promise<string> {
  const tenantId = `ten_${ulid()}`;
  await entities.tenant.create(tenantItem({ tenantId, slug: tenantId.toLowerCase() })).go();
  return tenantId;
}

function callAs(tenantId: string, handler = () => api) {
  const caller = tenantCaller([...tenantPermissions], tenantId);
  return async (method: string, path: string, body?: unknown, query?: Record<string, string>) => {
    const res = await handler()(
      apiEvent({ method, path, caller, body, ...(query ? { query } : {}) }),
      lambdaContext(),
    );
    return { status: res.statusCode, headers: res.headers ?? {}, body: res.body ? json(res.body) : {} };
  };
}

const hook = { url: 'https://hooks.example.com/in' };

describe('webhook endpoint routes', () => {
  it('create shows the secret once; get and list do not; the secret is stored sealed', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);

    const created = await call('POST', '/v1/webhooks', { ...hook, eventTypes: ['tenant.updated'] });
    const id = created.body.id as string;
    const [got, list] = await Promise.all([call('GET', `/v1/webhooks/${id}`), call('GET', '/v1/webhooks')]);

    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/webhooks/${id}`);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(got.body).toEqual({ ...created.body, secret: undefined });
    expect(got.body).not.toHaveProperty('secret');
    expect(list.body.items).toEqual([got.body]);
    const { data: stored } = await webhookEntities.webhookEndpoint.get({ tenantId, endpointId: id }).go();
    expect(JSON.stringify(stored)).not.toContain((created.body.secret as string).slice(6));
  });

  it('GET …/secret reveals the same secret that create showed', async () => {
    const call = callAs(await newTenant());
    const created = await call('POST', '/v1/webhooks', hook);

    const secret = await call('GET', `/v1/webhooks/${created.body.id as string}/secret`);

    expect([secret.status, secret.body, secret.headers['cache-control']]).toEqual([
      200,
      { secret: created.body.secret },
      'no-store',
    ]);
  });

  it('unknown event types are a field error naming each of them', async () => {
    const call = callAs(await newTenant());

    const res = await call('POST', '/v1/webhooks', {
      ...hook,
      eventTypes: ['tenant.created', 'order.paid', 'x.y'],
    });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      {
        path: 'body.eventTypes',
        code: 'unknown_event_type',
        message: 'unknown event types: order.paid, x.y (GET /v1/event-types lists them)',
      },
    ]);
  });

  it('outside one machine, http and hosts resolving to private addresses are refused; on one machine http to localhost is fine', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);

    const http = await call('POST', '/v1/webhooks', { url: 'http://hooks.example.com/in' });
    const internal = await call('POST', '/v1/webhooks', { url: 'https://internal.example.com/in' });
    const local = await callAs(tenantId, () => localApi)('POST', '/v1/webhooks', {
      url: 'http://localhost:4000/in',
    });

    expect([http.status, (http.body.errors as Array<{ code: string }>)[0]?.code]).toEqual([
      400,
      'url_not_allowed',
    ]);
    expect(JSON.stringify(internal.body.errors)).toContain('internal.example.com (10.0.0.5)');
    expect(local.status).toBe(201);
  });

  it("on one machine, an endpoint on a port of Plinth's own services is refused", async () => {
    const call = callAs(await newTenant(), () => localApi);

    const refused = await Promise.all(
      ['http://localhost:8000/in', 'http://127.0.0.1:4566/'].map((url) =>
        call('POST', '/v1/webhooks', { url }),
      ),
    );

    expect(refused.map((res) => [res.status, (res.body.errors as Array<{ code: string }>)[0]?.code])).toEqual(
      [
        [400, 'url_not_allowed'],
        [400, 'url_not_allowed'],
      ],
    );
  });

  it("another tenant's endpoint answers 404 to every route", async () => {
    const owner = callAs(await newTenant());
    const id = (await owner('POST', '/v1/webhooks', hook)).body.id as string;
    const other = callAs(await newTenant());

    const statuses = await Promise.all([
      other('GET', `/v1/webhooks/${id}`),
      other('PATCH', `/v1/webhooks/${id}`, { enabled: false }),
      other('GET', `/v1/webhooks/${id}/secret`),
      other('POST', `/v1/webhooks/${id}/secret/rotate`),
      other('GET', `/v1/webhooks/${id}/deliveries`),
      other('POST', `/v1/webhooks/${id}/test`),
      other('POST', `/v1/webhooks/${id}/recover`, { since: new Date().toISOString() }),
      other('DELETE', `/v1/webhooks/${id}`),
    ]);

    expect(statuses.map((s) => s.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
    expect((await owner('GET', `/v1/webhooks/${id}`)).body.enabled).toBe(true);
  });

  it('PATCH changes fields with an endpoint.updated event; disabling is manual and re-enabling clears it', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);
    const id = (await call('POST', '/v1/webhooks', { ...hook, rateLimitPerSecond: 5 })).body.id as string;

    const disabled = await call('PATCH', `/v1/webhooks/${id}`, { enabled: false, rateLimitPerSecond: null });
    const enabled = await call('PATCH', `/v1/webhooks/${id}`, { enabled: true, description: 'orders' });

    expect([disabled.body.enabled, disabled.body.disabledReason, disabled.body.rateLimitPerSecond]).toEqual([
      false,
      'manual',
      undefined,
    ]);
    expect([enabled.body.enabled, enabled.body.disabledReason, enabled.body.description]).toEqual([
      true,
      undefined,
      'orders',
    ]);
    const { data: events } = await entities.event.query.byTenant({ tenantId }).go();
    const updates = events
      .filter((e) => e.type === 'endpoint.updated')
      .map((e) => (e.data as { changes: object }).changes);
    expect(updates).toContainEqual({
      enabled: { from: true, to: false },
      rateLimitPerSecond: { from: 5, to: null },
    });
  });

  it('DELETE answers 204, writes endpoint.deleted, and the endpoint is gone', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;

    const deleted = await call('DELETE', `/v1/webhooks/${id}`);

    expect([deleted.status, (await call('GET', `/v1/webhooks/${id}`)).status]).toEqual([204, 404]);
    const { data: events } = await entities.event.query.byTenant({ tenantId }).go();
    expect(events.map((e) => e.type).sort()).toEqual(['endpoint.created', 'endpoint.deleted']);
  });

  it('a tenant may hold 20 endpoints; the 21st is 409 limit_reached', async () => {
    const call = callAs(await newTenant());
    for (let i = 0; i < 20; i += 1) expect((await call('POST', '/v1/webhooks', hook)).status).toBe(201);

    const over = await call('POST', '/v1/webhooks', hook);

    expect([over.status, over.body.code, over.body.limit]).toEqual([409, 'limit_reached', 20]);
  });
});

describe('secret rotation', () => {
  it('leaves both secrets valid, the previous one expiring 24 hours after the rotation', async () => {
    const tenantId = await newTenant();
    const call = callAs(tenantId);
    const created = await call('POST', '/v1/webhooks', hook);
    const id = created.body.id as string;

    const before = Date.now();
    const rotated = await call('POST', `/v1/webhooks/${id}/secret/rotate`);
    const shown = await call('GET', `/v1/webhooks/${id}/secret`);

    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(shown.body).toEqual({
      secret: rotated.body.secret,
      previousSecret: created.body.secret,
      previousSecretExpiresAt: rotated.body.previousSecretExpiresAt,
    });
    const expiresIn = Date.parse(rotated.body.previousSecretExpiresAt as string) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(dayMs);
    expect(expiresIn).toBeLessThan(dayMs + 60_000);

    // A delivery signed now verifies with either secret, as a receiver using standardwebhooks checks it.
    const { data: endpoint } = await webhookEntities.webhookEndpoint.get({ tenantId, endpointId: id }).go();
    const secrets = openSigningSecrets(endpoint!, deps.secretBox, new Date());
    const body = JSON.stringify({ type: 'tenant.updated', timestamp: new Date().toISOString(), data: {} });
    const headers = signatureHeaders({
      id: 'msg_1',
      timestamp: Math.floor(Date.now() / 1000),
      body,
      secrets,
    });
    for (const secret of [created.body.secret, rotated.body.secret] as string[]) {
      expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    }
  });

  it('after 24 hours only the new secret is shown and signs', async () => {
    const call = callAs(await newTenant());
    const id = (await call('POST', '/v1/webhooks', hook)).body.id as string;
    const rotated = await call('POST', `/v1/webhooks/${id}/secret/rotate`);

    skewMs = dayMs + 1000;
    try {
      const shown = await call('GET', `/v1/webhooks/${id}/secret`);
      expect(shown.body).toEqual({ secret: rotated.body.secret });
    } finally {
      skewMs = 0;
    }
  });
});
