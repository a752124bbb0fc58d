// The conditional writes that settle races in the webhooks context, against DynamoDB Local and SQS
// (fauxqs). Each race is ordered, not hoped for: the late side reads first, its writes are held
// while the other side runs to the end, then it writes on a stale read, which must not take effect.
import { Logger } from '@aws-lambda-powertools/logger';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deploymentInput from '../../../infra/plinth.config.ts';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { parseDeploymentConfig } from '../../../libs/config/deployment.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import { loadWebhooksConfig } from '../../../functions/webhooks/config.ts';
import type { WebhooksDeps } from '../../../functions/webhooks/context.ts';
import { createDeliveryQueue, type DeliveryMessage } from '../../../functions/webhooks/delays.ts';
import {
  createDeliveryEntities,
  deliveryKey,
  dueFields,
  type DeliveryItem,
} from '../../../functions/webhooks/delivery-entities.ts';
import { createDeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { createWebhookEntities, type EndpointItem } from '../../../functions/webhooks/entities.ts';
import { fanOutEvent, type FanOutDeps } from '../../../functions/webhooks/fanout.ts';
import { endpointRoutes } from '../../../functions/webhooks/routes/endpoints.ts';
import { createWebhookStore } from '../../../functions/webhooks/store.ts';
import { sweepOverdue } from '../../../functions/webhooks/sweep.ts';
import { functionEnv } from '../../support/function-env.ts';
import { holdWrites, type HeldWrites } from '../../support/held-writes.ts';
import { tenantItem } from '../../support/items.ts';
import { createTestTables, type TestTables } from '../../support/tables.ts';
import { startWebhookQueues, type WebhookQueues } from '../../support/webhook-queues.ts';
import { apiEvent, json, lambdaContext, tenantCaller } from '../../unit/http/api-events.ts';
import { problemOf } from '../../support/problems.ts';

const region = 'us-east-1';
const webhooks = { retryScheduleSeconds: [0, 1], timeoutSeconds: 1, disableAfterDays: 5 };
const deployment = parseDeploymentConfig({ ...deploymentInput, webhooks });
const secretBox = createSecretBox('integration-webhook-secret-key-0123456789');
let tables: TestTables;
let queues: WebhookQueues;

beforeAll(async () => {
  tables = await createTestTables();
  queues = await startWebhookQueues(region);
});

afterAll(async () => {
  await queues?.stop();
});

/** The context's entities and stores over `client`: the test's own, or one whose writes are held. */
function contextOn(client: TestTables['client']) {
  const table = { client, tableName: tables.tableName };
  const shared = createEntities({ ...table, directoryTableName: tables.directoryTableName });
  const entities = {
    ...createDeliveryEntities(table),
    ...createWebhookEntities(table),
    tenant: shared.tenant,
  };
  const deliveries = createDeliveryStore({
    entities,
    sqs: queues.sqs,
    deliveriesQueueUrl: queues.deliveries.url,
    deployment,
  });
  const queue = createDeliveryQueue({
    sqs: queues.sqs,
    scheduler: new SchedulerClient({ region, endpoint: 'http://127.0.0.1:9' }),
    queueUrl: queues.deliveries.url,
    queueArn: queues.deliveries.arn,
    scheduleGroupName: 'test',
    schedulerRoleArn: 'arn:aws:iam::000000000000:role/test',
  });
  const store = createWebhookStore({ event: shared.event, job: shared.job, ...createWebhookEntities(table) });
  return { shared, entities, deliveries, queue, store };
}

/** The side that reads first and writes last, with writes held until `release()`. */
function lateSide(): HeldWrites & { context: ReturnType<typeof contextOn> } {
  const held = holdWrites(tables.endpoint);
  return { ...held, context: contextOn(held.client) };
}

const own = () => contextOn(tables.client);

async function newTenant(): Promise<string> {
  const tenantId = `ten_${ulid()}`;
  await own()
    .shared.tenant.create(tenantItem({ tenantId, slug: tenantId.toLowerCase() }))
    .go();
  return tenantId;
}

async function endpointOf(tenantId: string): Promise<EndpointItem> {
  const at = new Date().toISOString();
  const endpoint: EndpointItem = {
    tenantId,
    endpointId: `ep_${ulid()}`,
    url: 'http://127.0.0.1:9/hooks',
    eventTypes: ['*'],
    enabled: true,
    secrets: [{ sealed: secretBox.seal('whsec_unused'), createdAt: at }],
    createdAt: at,
    updatedAt: at,
  };
  await own().entities.webhookEndpoint.create(endpoint).go();
  return endpoint;
}

/** The messages of `tenantId` on the deliveries queue, taken off it. */
async function drainQueue(tenantId: string): Promise<DeliveryMessage[]> {
  const messages: DeliveryMessage[] = [];
  for (;;) {
    const received = await queues.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deliveries.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (!received.Messages?.length) return messages.filter((m) => m.tenantId === tenantId);
    for (const m of received.Messages) {
      messages.push(JSON.parse(m.Body!) as DeliveryMessage);
      await queues.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queues.deliveries.url, ReceiptHandle: m.ReceiptHandle! }),
      );
    }
  }
}

function deliveryOf(endpoint: EndpointItem, status: DeliveryItem['status'], nextAttemptAt: Date) {
  const key = { tenantId: endpoint.tenantId, endpointId: endpoint.endpointId, deliveryId: ulid() };
  const at = new Date().toISOString();
  const delivery: DeliveryItem = {
    ...key,
    eventType: 'tenant.updated',
    payload: '{}',
    ...dueFields(key, status, nextAttemptAt.toISOString()),
    attempts: 3,
    createdAt: at,
    updatedAt: at,
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
  };
  return delivery;
}

describe('secret rotation', () => {
  function api(context: ReturnType<typeof contextOn>): ApiHandler {
    const config = loadWebhooksConfig(
      functionEnv({
        TABLE_NAME: tables.tableName,
        WEBHOOK_SECRET_KEY: 'integration-webhook-secret-key-0123456789',
      }),
    );
    const deps: WebhooksDeps = {
      config,
      store: context.store,
      deliveries: context.deliveries,
      secretBox,
      rules: { put: () => Promise.resolve(), remove: () => Promise.resolve() },
      cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
      clock: () => new Date(),
    };
    return createApiHandler({
      serviceName: 'webhooks',
      logger: new Logger({ logLevel: 'SILENT' }),
      routes: endpointRoutes(deps),
      idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
    });
  }

  async function call(handler: ApiHandler, tenantId: string, method: string, path: string) {
    const caller = tenantCaller([...tenantPermissions], tenantId);
    const res = await handler(apiEvent({ method, path, caller }), lambdaContext());
    return { status: res.statusCode, body: json(res.body) };
  }

  it('two rotations of one endpoint: one wins, the other is 409, and the stored secrets are the winner’s', async () => {
    const tenantId = await newTenant();
    const endpoint = await endpointOf(tenantId);
    const path = `/v1/webhooks/${endpoint.endpointId}/secret/rotate`;
    const late = lateSide();

    const losing = call(api(late.context), tenantId, 'POST', path);
    await late.waiting;
    const winner = await call(api(own()), tenantId, 'POST', path);
    late.release();
    const loser = await losing;

    expect(winner.status).toBe(200);
    expect([loser.status, loser.body.code]).toEqual([409, 'concurrent_update']);
    const shown = await call(api(own()), tenantId, 'GET', `/v1/webhooks/${endpoint.endpointId}/secret`);
    expect(shown.body).toMatchObject({ secret: winner.body.secret, previousSecret: 'whsec_unused' });
    const { data: events } = await own().shared.event.query.byTenant({ tenantId }).go();
    expect(events.map((e) => e.type)).toEqual(['endpoint.secret_rotated']);
  });
});

describe('reopening a delivery', () => {
  it('two retries of one failed delivery: one reopens and queues it, the other is 409', async () => {
    const endpoint = await endpointOf(await newTenant());
    const failed = deliveryOf(endpoint, 'failed', new Date());
    await own().entities.webhookDelivery.create(failed).go();
    const late = lateSide();

    const losing = late.context.deliveries.retryNow(failed.tenantId, endpoint, failed.deliveryId);
    await late.waiting;
    const reopened = await own().deliveries.retryNow(failed.tenantId, endpoint, failed.deliveryId);
    late.release();
    const loser = await problemOf(losing);

    expect(reopened).toMatchObject({ status: 'pending', attempts: 3 });
    expect(loser.code).toBe('concurrent_update');
    expect(await drainQueue(failed.tenantId)).toEqual([{ ...deliveryKey(failed), attempt: 4 }]);
  });
});

describe('the sweeper', () => {
  it('two sweeps that both found the same overdue deliveries queue each of them once', async () => {
    const endpoint = await endpointOf(await newTenant());
    const overdue = [1, 2, 3].map(() => deliveryOf(endpoint, 'pending', new Date(Date.now() - 3_600_000)));
    for (const delivery of overdue) await own().entities.webhookDelivery.create(delivery).go();
    const queued: DeliveryMessage[] = [];
    const sweep = (context: ReturnType<typeof contextOn>) =>
      sweepOverdue({
        store: {
          ...context.deliveries,
          enqueueNow: (messages) => {
            queued.push(...messages.filter((m) => m.tenantId === endpoint.tenantId));
            return Promise.resolve();
          },
        },
        webhooks,
      });
    const late = lateSide();

    const losing = sweep(late.context);
    await late.waiting;
    await sweep(own());
    late.release();
    await losing;

    expect(queued.map((m) => m.deliveryId).sort()).toEqual(overdue.map((d) => d.deliveryId).sort());
    expect(queued.every((m) => m.attempt === 4)).toBe(true);
  });
});

describe('fan-out', () => {
  it('an event fanned out again after its first attempt was made neither resets the delivery nor queues it again', async () => {
    const endpoint = await endpointOf(await newTenant());
    const event = {
      id: ulid(),
      type: 'tenant.updated',
      version: 1,
      tenantId: endpoint.tenantId,
      actor: { type: 'user', id: 'usr_1' },
      occurredAt: new Date().toISOString(),
      data: { tenantId: endpoint.tenantId },
    };
    const fanOut = (context: ReturnType<typeof contextOn>) =>
      fanOutEvent(event, {
        store: context.deliveries,
        endpoints: context.store,
        queue: context.queue,
        webhooks,
      } satisfies FanOutDeps);
    const late = lateSide();

    const losing = fanOut(late.context);
    await late.waiting;
    await fanOut(own());
    const [first] = await drainQueue(endpoint.tenantId);
    const claimed = await own().deliveries.claimAttempt(first!);
    await own().deliveries.recordAttempt(claimed!, {
      attempt: { at: new Date().toISOString(), statusCode: 200, durationMs: 5, responseBody: '' },
      next: { status: 'succeeded' },
    });
    late.release();
    await losing;

    const delivery = await own().deliveries.getDelivery(endpoint.tenantId, endpoint.endpointId, event.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await drainQueue(endpoint.tenantId)).toEqual([]);
  });
});
