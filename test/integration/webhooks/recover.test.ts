// The recovery job against DynamoDB Local and SQS (fauxqs): every failed delivery of an endpoint since
// a time is sent again with its webhook-id, progress is reported, and a re-run sends nothing twice.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deploymentInput from '../../../infra/plinth.config.ts';
import { parseDeploymentConfig } from '../../../libs/config/deployment.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { newJobItem, type JobProgressUpdate } from '../../../libs/jobs/job.ts';
import type { DeliveryMessage } from '../../../functions/webhooks/delays.ts';
import {
  createDeliveryEntities,
  dueFields,
  type DeliveryItem,
  type DeliveryStatus,
} from '../../../functions/webhooks/delivery-entities.ts';
import { createDeliveryStore, type DeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { createWebhookEntities, type EndpointItem } from '../../../functions/webhooks/entities.ts';
import { createRecoverRunner } from '../../../functions/webhooks/recover.ts';
import { createWebhookStore, type WebhookStore } from '../../../functions/webhooks/store.ts';
import { runJob } from '../../../functions/jobs/run.ts';
import { createJobStore, type JobStore } from '../../../functions/jobs/store.ts';
import { createTestTables } from '../../support/tables.ts';
import { startWebhookQueues, type WebhookQueues } from '../../support/webhook-queues.ts';

const region = 'us-east-1';
const tenantId = `ten_${ulid()}`;
let queues: WebhookQueues;
let sqs: SQSClient;
let deliveriesUrl: string;
let entities: ReturnType<typeof createDeliveryEntities> & ReturnType<typeof createWebhookEntities>;
let store: DeliveryStore;
let endpoints: WebhookStore;
let shared: ReturnType<typeof createEntities>;
let jobs: JobStore;

beforeAll(async () => {
  const tables = await createTestTables();
  entities = { ...createDeliveryEntities(tables), ...createWebhookEntities(tables) };
  shared = createEntities(tables);
  jobs = createJobStore(shared);
  endpoints = createWebhookStore({ ...entities, event: shared.event, job: shared.job });
  queues = await startWebhookQueues(region);
  sqs = queues.sqs;
  deliveriesUrl = queues.deliveries.url;
  store = createDeliveryStore({
    entities: { ...entities, tenant: shared.tenant },
    sqs,
    deliveriesQueueUrl: deliveriesUrl,
    deployment: parseDeploymentConfig(deploymentInput),
  });
});

afterAll(async () => {
  await queues?.stop();
});

async function endpoint(enabled = true): Promise<EndpointItem> {
  const now = new Date().toISOString();
  const item: EndpointItem = {
    tenantId,
    endpointId: `ep_${ulid()}`,
    url: 'http://127.0.0.1:9/hooks',
    eventTypes: ['*'],
    enabled,
    secrets: [{ sealed: 'v1.a.b.c', createdAt: now }],
    createdAt: now,
    updatedAt: now,
  };
  await entities.webhookEndpoint.create(item).go();
  return item;
}

/** A finished delivery of an event that happened `hoursAgo`, last changed then too. */
async function delivery(
  target: EndpointItem,
  hoursAgo: number,
  status: DeliveryStatus,
): Promise<DeliveryItem> {
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  const event = {
    id: ulid(at.getTime()),
    type: 'tenant.updated',
    version: 1,
    tenantId,
    actor: { type: 'user', id: 'usr_1' },
    occurredAt: at.toISOString(),
    data: {},
  };
  const pending = await store.newDelivery(event, target.endpointId, at);
  const item = {
    ...pending,
    ...dueFields(pending, status, at.toISOString()),
    attempts: 8,
    completedAt: at.toISOString(),
  };
  await store.createDelivery(item);
  return item;
}

/** `count` failed deliveries of events in the last hour, written in batches. */
async function failedDeliveries(target: EndpointItem, count: number): Promise<DeliveryItem[]> {
  const at = new Date(Date.now() - 3_600_000);
  const items: DeliveryItem[] = [];
  for (let i = 0; i < count; i++) {
    const id = ulid(at.getTime() + i);
    const pending = await store.newDelivery(
      {
        id,
        type: 'tenant.updated',
        version: 1,
        tenantId,
        actor: { type: 'user', id: 'usr_1' },
        occurredAt: at.toISOString(),
        data: {},
      },
      target.endpointId,
      at,
    );
    items.push({
      ...pending,
      ...dueFields(pending, 'failed', at.toISOString()),
      attempts: 8,
      completedAt: at.toISOString(),
    });
  }
  await entities.webhookDelivery.put(items).go();
  return items.sort((a, b) => a.deliveryId.localeCompare(b.deliveryId));
}

async function queued(job: ReturnType<typeof recoveryJob>) {
  await shared.job.create(job).go();
  return { jobId: job.jobId, tenantId, kind: job.kind };
}

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

const ignoreProgress = { update: () => Promise.resolve() };

function recoveryJob(endpointId: string, since: Date) {
  return newJobItem(
    {
      tenantId,
      kind: 'webhooks.recover',
      input: { endpointId, since: since.toISOString() },
      total: 0,
      createdBy: 'user:usr_1',
      retentionDays: 7,
    },
    new Date(),
  );
}

describe('recovering failed deliveries', () => {
  it('re-sends the failed deliveries since the given time, and only those, reporting progress', async () => {
    const target = await endpoint();
    const elsewhere = await endpoint();
    const before = await delivery(target, 5, 'failed');
    const failedA = await delivery(target, 2, 'failed');
    const failedB = await delivery(target, 1, 'failed');
    await delivery(target, 1, 'succeeded');
    await delivery(elsewhere, 1, 'failed');
    const since = new Date(Date.now() - 3 * 3_600_000);
    const job = recoveryJob(target.endpointId, since);
    const updates: JobProgressUpdate[] = [];
    const run = createRecoverRunner({ store, endpoints });

    await run(job, {
      update: (p) => {
        updates.push(p);
        return Promise.resolve();
      },
    });

    expect(updates.at(-1)).toEqual({ processed: 2, succeeded: 2, failed: 0, total: 2 });
    expect((await drainQueue()).sort((a, b) => a.deliveryId.localeCompare(b.deliveryId))).toEqual([
      { tenantId, endpointId: target.endpointId, deliveryId: failedA.deliveryId, attempt: 9 },
      { tenantId, endpointId: target.endpointId, deliveryId: failedB.deliveryId, attempt: 9 },
    ]);
    const after = await store.listDeliveries(
      tenantId,
      target.endpointId,
      { status: 'pending' },
      { limit: 10 },
    );
    expect(after.items.map((d) => d.deliveryId).sort()).toEqual(
      [failedA.deliveryId, failedB.deliveryId].sort(),
    );
    expect((await store.getDelivery(tenantId, target.endpointId, before.deliveryId))?.status).toBe('failed');
  });

  it('a re-run of the same job sends nothing it already sent, even after those failed again', async () => {
    const target = await endpoint();
    const failed = await delivery(target, 1, 'failed');
    const job = recoveryJob(target.endpointId, new Date(Date.now() - 2 * 3_600_000));
    const run = createRecoverRunner({ store, endpoints });
    await run(job, ignoreProgress);
    await drainQueue();
    const reopened = await store.getDelivery(tenantId, target.endpointId, failed.deliveryId);
    await entities.webhookDelivery
      .patch({ tenantId, endpointId: target.endpointId, deliveryId: failed.deliveryId })
      .set({ ...dueFields(failed, 'failed', new Date().toISOString()), updatedAt: new Date().toISOString() })
      .go();

    await run({ ...job, processed: 1, succeeded: 1 }, ignoreProgress);

    expect(reopened?.status).toBe('pending');
    expect(await drainQueue()).toEqual([]);
  });

  it('fails the job when the endpoint is disabled', async () => {
    const target = await endpoint(false);
    const run = createRecoverRunner({ store, endpoints });

    await expect(run(recoveryJob(target.endpointId, new Date(0)), ignoreProgress)).rejects.toThrow(
      /disabled/,
    );
  });

  it('a recovery over more deliveries than one page finishes through the job, with its total found', async () => {
    const target = await endpoint();
    await failedDeliveries(target, 230);
    const job = recoveryJob(target.endpointId, new Date(Date.now() - 2 * 3_600_000));
    const runners = { 'webhooks.recover': createRecoverRunner({ store, endpoints }) };

    await runJob(await queued(job), { receiveCount: 1, maxReceiveCount: 5 }, { store: jobs, runners });

    expect(await jobs.getJob(tenantId, job.jobId)).toMatchObject({
      status: 'succeeded',
      total: 230,
      processed: 230,
      succeeded: 230,
    });
    expect(new Set((await drainQueue()).map((m) => m.deliveryId)).size).toBe(230);
  });

  it('a recovery that crashed goes on from its saved position, not from the first delivery', async () => {
    const target = await endpoint();
    const [first] = await failedDeliveries(target, 150);
    const job = recoveryJob(target.endpointId, new Date(Date.now() - 2 * 3_600_000));
    const message = await queued(job);
    let reopens = 0;
    const crashing = createRecoverRunner({
      store: {
        reopen: (delivery) => {
          if (++reopens > 100) throw new Error('the table is down');
          return store.reopen(delivery);
        },
        enqueueNow: store.enqueueNow,
        listRecoverable: store.listRecoverable,
      },
      endpoints,
    });
    await expect(
      runJob(
        message,
        { receiveCount: 1, maxReceiveCount: 5 },
        { store: jobs, runners: { 'webhooks.recover': crashing } },
      ),
    ).rejects.toThrow(/table is down/);
    const firstRun = await drainQueue();
    // Had the re-run started over, it would find this first delivery failed again and re-send it.
    await entities.webhookDelivery
      .patch({ tenantId, endpointId: target.endpointId, deliveryId: first!.deliveryId })
      .set({
        status: 'failed',
        sweepShard: first!.sweepShard,
        nextAttemptAt: first!.nextAttemptAt,
        updatedAt: first!.updatedAt,
      })
      .go();

    await runJob(
      message,
      { receiveCount: 2, maxReceiveCount: 5 },
      {
        store: jobs,
        runners: { 'webhooks.recover': createRecoverRunner({ store, endpoints }) },
      },
    );

    const secondRun = await drainQueue();
    expect(firstRun).toHaveLength(100);
    expect(secondRun.map((m) => m.deliveryId)).not.toContain(first!.deliveryId);
    expect(await jobs.getJob(tenantId, job.jobId)).toMatchObject({
      status: 'succeeded',
      total: 150,
      processed: 150,
    });
  });
});
