// The event destination routes over a real DynamoDB (Local), with the bus rules kept in memory: a
// destination exists exactly when its rule does, and residency, uniqueness and the limit hold.
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { loadWebhooksConfig } from '../../../functions/webhooks/config.ts';
import type { WebhooksDeps } from '../../../functions/webhooks/context.ts';
import type { DeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import type { DestinationRules } from '../../../functions/webhooks/destinations.ts';
import { createWebhookEntities } from '../../../functions/webhooks/entities.ts';
import { destinationRoutes } from '../../../functions/webhooks/routes/destinations.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { createWebhookStore } from '../../../functions/webhooks/store.ts';
import { functionEnv } from '../../support/function-env.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';

type Rule = Parameters<DestinationRules['put']>[0];
const roleArn = 'arn:aws:iam::999988887777:role/plinth-event-destinations';
/** The rules that exist, by name; `failNextPut` makes EventBridge refuse the next one. */
const rules = new Map<string, Rule>();
let failNextPut = false;
const fakeRules: DestinationRules = {
  put(rule) {
    if (failNextPut) {
      failNextPut = false;
      return Promise.reject(new Error('AccessDeniedException: not authorized to perform iam:PassRole'));
    }
    rules.set(rule.name, rule);
    return Promise.resolve();
  },
  remove(name) {
    rules.delete(name);
    return Promise.resolve();
  },
};

let entities: ReturnType<typeof createEntities>;
let api: ApiHandler;
let withoutDestinations: ApiHandler;

beforeAll(async () => {
  const tables = await createTestTables();
  const dataTables = { client: tables.client, tableName: tables.tableName };
  entities = createEntities({ ...dataTables, directoryTableName: tables.directoryTableName });
  const env = {
    TABLE_NAME: tables.tableName,
    WEBHOOK_DELIVERIES_QUEUE_URL: 'http://unused',
    WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:999988887777:deliveries',
    WEBHOOK_DELIVERIES_DLQ_URL: 'http://unused-dlq',
    SCHEDULE_GROUP_NAME: 'plinth',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::999988887777:role/scheduler',
    WEBHOOK_SECRET_KEY: 'integration-webhook-secret-key-0123456789',
  };
  const config = loadWebhooksConfig(
    functionEnv({
      ...env,
      EVENT_DESTINATION_ROLE_ARN: roleArn,
      EVENT_DESTINATION_DLQ_ARN: 'arn:aws:sqs:us-east-1:999988887777:plinth-event-destination-failures',
    }),
  );
  const deps: WebhooksDeps = {
    config,
    store: createWebhookStore({
      event: entities.event,
      job: entities.job,
      ...createWebhookEntities(dataTables),
    }),
    // Destination routes never touch deliveries.
    deliveries: {} as DeliveryStore,
    secretBox: createSecretBox('integration-webhook-secret-key-0123456789'),
    rules: fakeRules,
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    clock: () => new Date(),
  };
  const handler = (d: WebhooksDeps) =>
    createApiHandler({
      serviceName: 'webhooks',
      logger: new Logger({ logLevel: 'SILENT' }),
      routes: destinationRoutes(d),
      idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    });
  api = handler(deps);
  withoutDestinations = handler({ ...deps, config: loadWebhooksConfig(functionEnv(env)) });
});

beforeEach(() => {
  failNextPut = false;
});

function callAs(tenantId: string, handler = () => api) {
  const caller = tenantCaller([...tenantPermissions], tenantId);
  return async (method: string, path: string, body?: unknown) => {
    const res = await handler()(apiEvent({ method, path, caller, body }), lambdaContext());
    return { status: res.statusCode, body: res.body ? json(res.body) : {} };
  };
}

const newTenantId = () => `ten_${ulid()}`;
const busIn = (region: string, name = 'orders') => `arn:aws:events:${region}:111122223333:event-bus/${name}`;

async function eventTypesOf(tenantId: string): Promise<string[]> {
  const { data } = await entities.event.query.byTenant({ tenantId }).go();
  return data.map((e) => e.type).sort();
}

describe('event destination routes', () => {
  it("creating a destination puts a rule for the tenant's events only, targeting its bus with Plinth's role", async () => {
    const tenantId = newTenantId();
    const call = callAs(tenantId);

    const created = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-west-2') });
    const id = created.body.id as string;

    expect([created.status, created.body.status, created.body.ruleName]).toEqual([
      201,
      'active',
      `plinth-dest-${id}`,
    ]);
    expect(rules.get(`plinth-dest-${id}`)).toEqual({
      name: `plinth-dest-${id}`,
      tenantId,
      eventBusArn: busIn('us-west-2'),
      roleArn,
    });
    expect((await call('GET', '/v1/event-destinations')).body.items).toEqual([created.body]);
    expect(await eventTypesOf(tenantId)).toEqual(['event_destination.created']);
  });

  it('deleting removes the rule and the destination, with event_destination.deleted', async () => {
    const tenantId = newTenantId();
    const call = callAs(tenantId);
    const id = (await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-2') })).body
      .id as string;

    const deleted = await call('DELETE', `/v1/event-destinations/${id}`);

    expect(deleted.status).toBe(204);
    expect(rules.has(`plinth-dest-${id}`)).toBe(false);
    expect((await call('GET', '/v1/event-destinations')).body.items).toEqual([]);
    expect(await eventTypesOf(tenantId)).toEqual(['event_destination.created', 'event_destination.deleted']);
  });

  it('a bus outside the tenant home zone is 422 outside_residency_zone, and no rule is made', async () => {
    const call = callAs(newTenantId());
    const before = rules.size;

    const eu = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('eu-west-1') });
    const asia = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('ap-southeast-1') });

    expect([eu.status, eu.body.code, asia.status]).toEqual([422, 'outside_residency_zone', 422]);
    expect(eu.body.detail).toBe(
      "The tenant's data stays in the US residency zone; eu-west-1 is in the EU zone.",
    );
    expect(rules.size).toBe(before);
  });

  it('a malformed ARN is a field error of body.eventBusArn', async () => {
    const call = callAs(newTenantId());

    const res = await call('POST', '/v1/event-destinations', {
      eventBusArn: 'arn:aws:sqs:us-east-1:1:queue',
    });

    expect([res.status, (res.body.errors as Array<{ path: string; code: string }>)[0]]).toMatchObject([
      400,
      { path: 'body.eventBusArn', code: 'invalid_arn' },
    ]);
  });

  it('one destination per bus: the same bus again is 409 destination_exists', async () => {
    const call = callAs(newTenantId());
    const first = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1') });

    const again = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1') });

    expect([again.status, again.body.code, again.body.destinationId]).toEqual([
      409,
      'destination_exists',
      first.body.id,
    ]);
  });

  it('a tenant may have 5 destinations; the 6th is 409 limit_reached', async () => {
    const call = callAs(newTenantId());
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1', `b${i}`) })).status,
      ).toBe(201);
    }

    const over = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1', 'b5') });

    expect([over.status, over.body.code]).toEqual([409, 'limit_reached']);
  });

  it('when EventBridge refuses the rule, the answer is 502 and neither destination nor event remains', async () => {
    const tenantId = newTenantId();
    const call = callAs(tenantId);
    failNextPut = true;

    const res = await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1') });

    expect([res.status, res.body.code]).toEqual([502, 'destination_rejected']);
    expect(JSON.stringify(res.body)).not.toContain('PassRole');
    expect((await call('GET', '/v1/event-destinations')).body.items).toEqual([]);
    expect(await eventTypesOf(tenantId)).toEqual([]);
    // The slot it took is free again.
    expect((await call('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1') })).status).toBe(
      201,
    );
  });

  it("another tenant's destination is a 404 and keeps its rule", async () => {
    const id = (
      await callAs(newTenantId())('POST', '/v1/event-destinations', { eventBusArn: busIn('us-east-1') })
    ).body.id as string;

    const res = await callAs(newTenantId())('DELETE', `/v1/event-destinations/${id}`);

    expect(res.status).toBe(404);
    expect(rules.has(`plinth-dest-${id}`)).toBe(true);
  });

  it("a bus in Plinth's own account is refused", async () => {
    const res = await callAs(newTenantId())('POST', '/v1/event-destinations', {
      eventBusArn: 'arn:aws:events:us-east-1:999988887777:event-bus/plinth',
    });

    expect([res.status, res.body.code]).toEqual([422, 'destination_not_allowed']);
  });

  it('where no destination role is configured (one machine), creating is 501 event_destinations_unavailable', async () => {
    const res = await callAs(newTenantId(), () => withoutDestinations)('POST', '/v1/event-destinations', {
      eventBusArn: busIn('us-east-1'),
    });

    expect([res.status, res.body.code]).toEqual([501, 'event_destinations_unavailable']);
  });
});
