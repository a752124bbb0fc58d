// Fan-out against DynamoDB Local and SQS (fauxqs): one delivery per matching endpoint of the event's
// tenant, none for anyone else, and none twice when the same event arrives again.
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deploymentInput from '../../../infra/plinth.config.ts';
import { parseDeploymentConfig } from '../../../libs/config/deployment.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createDeliveryQueue, type DeliveryMessage } from '../../../functions/webhooks/delays.ts';
import { createDeliveryEntities } from '../../../functions/webhooks/delivery-entities.ts';
import { createDeliveryStore, type DeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { createWebhookEntities, type EndpointItem } from '../../../functions/webhooks/entities.ts';
import { fanOutEvent, type FanOutDeps } from '../../../functions/webhooks/fanout.ts';
import { createWebhookStore } from '../../../functions/webhooks/store.ts';
import { createTestTables } from '../../support/tables.ts';
import { startWebhookQueues, type WebhookQueues } from '../../support/webhook-queues.ts';

const region = 'us-east-1';
const webhooks = { retryScheduleSeconds: [0, 1], timeoutSeconds: 1, disableAfterDays: 5 };
let queues: WebhookQueues;
let sqs: SQSClient;
let deliveriesUrl: string;
let entities: ReturnType<typeof createWebhookEntities>;
let store: DeliveryStore;
let deps: FanOutDeps;

beforeAll(async () => {
  const tables = await createTestTables();
  entities = createWebhookEntities(tables);
  const shared = createEntities(tables);
  queues = await startWebhookQueues(region);
  sqs = queues.sqs;
  const { deliveries } = queues;
  deliveriesUrl = deliveries.url;
  store = createDeliveryStore({
    entities: { ...createDeliveryEntities(tables), tenant: shared.tenant },
    sqs,
    deliveriesQueueUrl: deliveriesUrl,
    deployment: parseDeploymentConfig({ ...deploymentInput, webhooks }),
  });
  deps = {
    store,
    endpoints: createWebhookStore({ ...entities, event: shared.event, job: shared.job }),
    queue: createDeliveryQueue({
      sqs,
      scheduler: new SchedulerClient({ region, endpoint: 'http://127.0.0.1:9' }),
      queueUrl: deliveriesUrl,
      queueArn: deliveries.arn,
      scheduleGroupName: 'test',
      schedulerRoleArn: 'arn:aws:iam::000000000000:role/test',
    }),
    webhooks,
  };
});

afterAll(async () => {
  await queues?.stop();
});

async function endpoint(tenantId: string, eventTypes: string[], enabled = true): Promise<EndpointItem> {
  const now = new Date().toISOString();
  const item: EndpointItem = {
    tenantId,
    endpointId: `ep_${ulid()}`,
    url: 'http://127.0.0.1:9/hooks',
    eventTypes,
    enabled,
    secrets: [{ sealed: 'v1.a.b.c', createdAt: now }],
    createdAt: now,
    updatedAt: now,
  };
  await entities.webhookEndpoint.create(item).go();
  return item;
}

function event(tenantId: string, type: string) {
  return {
    id: ulid(),
    type,
    version: 1,
    tenantId,
    actor: { type: 'user', id: 'usr_1' },
    occurredAt: new Date().toISOString(),
    data: { tenantId, reason: 'unpaid' },
  };
}

/** Every message on the deliveries queue, taken off it. */
async function drainQueue(): Promise<DeliveryMessage[]> {
  const messages: DeliveryMessage[] = [];
  for (;;) {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deliveriesUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!received.Messages?.length) return messages;
    for (const m of received.Messages) {
      messages.push(JSON.parse(m.Body!) as DeliveryMessage);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: deliveriesUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

const deliveriesTo = async (e: EndpointItem) =>
  (await store.listDeliveries(e.tenantId, e.endpointId, {}, { limit: 50 })).items;

describe('fan-out', () => {
  it("queues one delivery per matching endpoint and skips the others and other tenants' endpoints", async () => {
    const tenantA = `ten_${ulid()}`;
    const tenantB = `ten_${ulid()}`;
    const all = await endpoint(tenantA, ['*']);
    const subscribed = await endpoint(tenantA, ['tenant.suspended']);
    const other = await endpoint(tenantA, ['api_key.created']);
    const disabled = await endpoint(tenantA, ['*'], false);
    const otherTenant = await endpoint(tenantB, ['*']);
    const suspended = event(tenantA, 'tenant.suspended');

    const count = await fanOutEvent(suspended, deps);

    expect(count).toBe(2);
    const messages = await drainQueue();
    expect(messages.map((m) => m.endpointId).sort()).toEqual([all.endpointId, subscribed.endpointId].sort());
    expect(
      messages.every((m) => m.tenantId === tenantA && m.deliveryId === suspended.id && m.attempt === 1),
    ).toBe(true);
    for (const skipped of [other, disabled, otherTenant]) expect(await deliveriesTo(skipped)).toEqual([]);
    const [delivery] = await deliveriesTo(all);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0, eventType: 'tenant.suspended' });
    expect(JSON.parse(delivery!.payload)).toEqual({
      type: 'tenant.suspended',
      timestamp: suspended.occurredAt,
      data: { id: suspended.id, tenantId: tenantA, version: 1, actor: suspended.actor, reason: 'unpaid' },
    });
  });

  it('the same event arriving again makes no second delivery', async () => {
    const tenantId = `ten_${ulid()}`;
    const target = await endpoint(tenantId, ['*']);
    const updated = event(tenantId, 'tenant.updated');

    await fanOutEvent(updated, deps);
    await fanOutEvent(updated, deps);

    expect(await deliveriesTo(target)).toHaveLength(1);
    const messages = (await drainQueue()).filter((m) => m.endpointId === target.endpointId);
    expect(new Set(messages.map((m) => `${m.deliveryId}#${m.attempt}`))).toEqual(
      new Set([`${updated.id}#1`]),
    );
  });

  it('an event of a tenant without endpoints makes no delivery', async () => {
    expect(await fanOutEvent(event(`ten_${ulid()}`, 'tenant.updated'), deps)).toBe(0);
  });
});
