// The webhooks store against a real DynamoDB (Local): transactions, limits, conditions and events.
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { createEntities } from '../../../libs/data/entities.ts';
import {
  createWebhookEntities,
  type DestinationItem,
  type EndpointItem,
} from '../../../functions/webhooks/entities.ts';
import { createWebhookStore, type WebhookStore } from '../../../functions/webhooks/store.ts';
import { createTestTables } from '../../support/tables.ts';
import { problemOf } from '../../support/problems.ts';

const actor = { type: 'api_key', id: 'key_test' };
let store: WebhookStore;
let entities: ReturnType<typeof createEntities>;
let webhookEntities: ReturnType<typeof createWebhookEntities>;

beforeAll(async () => {
  const tables = await createTestTables();
  entities = createEntities({
    client: tables.client,
    tableName: tables.tableName,
    directoryTableName: tables.directoryTableName,
  });
  webhookEntities = createWebhookEntities({ client: tables.client, tableName: tables.tableName });
  store = createWebhookStore({ event: entities.event, job: entities.job, ...webhookEntities });
});

const newTenantId = () => `ten_${ulid()}`;

function endpointOf(tenantId: string, overrides: Partial<EndpointItem> = {}): EndpointItem {
  const at = new Date().toISOString();
  return {
    tenantId,
    endpointId: `ep_${ulid()}`,
    url: 'https://hooks.example.com/in',
    eventTypes: ['*'],
    enabled: true,
    secrets: [{ sealed: 'v1.sealed', createdAt: at }],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

function destinationOf(tenantId: string, eventBusArn: string): DestinationItem {
  const destinationId = `dst_${ulid()}`;
  return {
    tenantId,
    destinationId,
    eventBusArn,
    ruleName: `plinth-dest-${destinationId}`,
    status: 'creating',
    createdAt: new Date().toISOString(),
  };
}

/** The tenant's event types, sorted: events written within one millisecond have no set order. */
async function eventTypesOf(tenantId: string): Promise<string[]> {
  const { data } = await entities.event.query.byTenant({ tenantId }).go();
  return data.map((e) => e.type).sort();
}

describe('webhooks store: endpoints', () => {
  it('creating an endpoint writes it and its endpoint.created event, without the secret, together', async () => {
    const tenantId = newTenantId();
    const endpoint = endpointOf(tenantId, { description: 'orders' });

    await store.createEndpoint(endpoint, 20, actor);

    expect(await store.getEndpoint(tenantId, endpoint.endpointId)).toEqual(endpoint);
    const { data: events } = await entities.event.query.byTenant({ tenantId }).go();
    expect(events.map((e) => [e.type, e.actor])).toEqual([['endpoint.created', actor]]);
    expect(JSON.stringify(events[0]?.data)).not.toContain('sealed');
    expect(events[0]?.data).toEqual({
      endpoint: {
        id: endpoint.endpointId,
        url: endpoint.url,
        description: 'orders',
        eventTypes: ['*'],
        enabled: true,
      },
    });
  });

  it('the endpoint limit is held in the creating transaction, and deleting frees a slot', async () => {
    const tenantId = newTenantId();
    const first = endpointOf(tenantId);
    await store.createEndpoint(first, 2, actor);
    await store.createEndpoint(endpointOf(tenantId), 2, actor);

    const full = await problemOf(store.createEndpoint(endpointOf(tenantId), 2, actor));

    expect([full.status, full.code]).toEqual([409, 'limit_reached']);
    expect((await store.listAllEndpoints(tenantId)).length).toBe(2);

    await store.deleteEndpoint(tenantId, first.endpointId, actor);
    await store.createEndpoint(endpointOf(tenantId), 2, actor);
    expect((await store.listAllEndpoints(tenantId)).length).toBe(2);
    expect(await eventTypesOf(tenantId)).toEqual([
      'endpoint.created',
      'endpoint.created',
      'endpoint.created',
      'endpoint.deleted',
    ]);
  });

  it('lists endpoints newest first, page by page', async () => {
    const tenantId = newTenantId();
    const older = endpointOf(tenantId);
    await store.createEndpoint(older, 20, actor);
    const newer = endpointOf(tenantId);
    await store.createEndpoint(newer, 20, actor);

    const first = await store.listEndpoints(tenantId, { limit: 1 });
    const second = await store.listEndpoints(tenantId, { limit: 1, position: first.position ?? undefined });

    expect([first.items[0]?.endpointId, second.items[0]?.endpointId]).toEqual([
      newer.endpointId,
      older.endpointId,
    ]);
  });

  it('an update removes attributes the next item leaves out, and a stale update is a 409', async () => {
    const tenantId = newTenantId();
    const current = endpointOf(tenantId, { rateLimitPerSecond: 5, failingSince: '2026-01-01T00:00:00.000Z' });
    await store.createEndpoint(current, 20, actor);
    const next: EndpointItem = {
      ...current,
      rateLimitPerSecond: undefined,
      failingSince: undefined,
      updatedAt: new Date(Date.parse(current.updatedAt) + 1000).toISOString(),
    };
    const changes = { rateLimitPerSecond: { from: 5, to: null } };

    await store.updateEndpoint(current, next, changes, actor);
    const stale = await problemOf(store.updateEndpoint(current, next, changes, actor));

    const stored = await store.getEndpoint(tenantId, current.endpointId);
    expect([stored?.rateLimitPerSecond, stored?.failingSince, stored?.updatedAt]).toEqual([
      undefined,
      undefined,
      next.updatedAt,
    ]);
    expect(stale.code).toBe('concurrent_update');
    expect(await eventTypesOf(tenantId)).toEqual(['endpoint.created', 'endpoint.updated']);
  });

  it('an update writes only what it changes, so a failing streak the worker ended meanwhile stays ended', async () => {
    const tenantId = newTenantId();
    const current = endpointOf(tenantId, { failingSince: '2026-01-01T00:00:00.000Z' });
    await store.createEndpoint(current, 20, actor);
    const key = { tenantId, endpointId: current.endpointId };
    await webhookEntities.webhookEndpoint.patch(key).remove(['failingSince']).go();

    await store.updateEndpoint(
      current,
      { ...current, description: 'orders', updatedAt: new Date().toISOString() },
      { description: { from: null, to: 'orders' } },
      actor,
    );

    const stored = await store.getEndpoint(tenantId, current.endpointId);
    expect([stored?.description, stored?.failingSince]).toEqual(['orders', undefined]);
  });

  it("another tenant's endpoint is not found, to read or to delete", async () => {
    const owner = newTenantId();
    const endpoint = endpointOf(owner);
    await store.createEndpoint(endpoint, 20, actor);
    const other = newTenantId();

    const read = await problemOf(store.requireEndpoint(other, endpoint.endpointId));
    const deleted = await problemOf(store.deleteEndpoint(other, endpoint.endpointId, actor));

    expect([read.status, deleted.status]).toEqual([404, 404]);
    expect(await store.getEndpoint(owner, endpoint.endpointId)).toBeDefined();
  });

  it('rotating secrets writes them with an endpoint.secret_rotated event that has no secret in it', async () => {
    const tenantId = newTenantId();
    const endpoint = endpointOf(tenantId);
    await store.createEndpoint(endpoint, 20, actor);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const secrets = [
      { sealed: 'v1.new', createdAt: new Date().toISOString() },
      { ...endpoint.secrets[0]!, expiresAt },
    ];

    await store.rotateSecrets(endpoint, secrets, expiresAt, actor);

    expect((await store.getEndpoint(tenantId, endpoint.endpointId))?.secrets).toEqual(secrets);
    const { data: events } = await entities.event.query.byTenant({ tenantId }).go();
    const rotated = events.find((e) => e.type === 'endpoint.secret_rotated');
    expect(rotated?.data).toEqual({ endpointId: endpoint.endpointId, previousSecretExpiresAt: expiresAt });
  });
});

describe('webhooks store: event destinations', () => {
  const bus = (n: number) => `arn:aws:events:us-east-2:111122223333:event-bus/bus-${n}`;

  it('a destination is announced only once active, and its removal writes event_destination.deleted', async () => {
    const tenantId = newTenantId();
    const destination = destinationOf(tenantId, bus(1));
    const { version } = await store.destinationsOf(tenantId);

    await store.reserveDestination(destination, version);
    const typesWhileCreating = await eventTypesOf(tenantId);
    const active = await store.activateDestination(destination, actor);
    await store.removeDestination(active, true, actor);

    expect(typesWhileCreating).toEqual([]);
    expect(await eventTypesOf(tenantId)).toEqual(['event_destination.created', 'event_destination.deleted']);
    expect((await store.destinationsOf(tenantId)).items).toEqual([]);
  });

  it('a reservation made with a stale version of the set fails, so checks on the list hold', async () => {
    const tenantId = newTenantId();
    const { version } = await store.destinationsOf(tenantId);
    await store.reserveDestination(destinationOf(tenantId, bus(1)), version);

    const stale = await problemOf(store.reserveDestination(destinationOf(tenantId, bus(1)), version));

    expect(stale.code).toBe('concurrent_update');
    const after = await store.destinationsOf(tenantId);
    expect([after.items.length, after.version]).toEqual([1, version + 1]);
  });
});
