// The delivery engine against real services: DynamoDB Local, SQS (fauxqs in this process) and a real
// HTTP receiver on 127.0.0.1 that answers as each test scripts it. Signatures are checked with the
// standardwebhooks library. The retry schedule is seconds long; no test asserts a timing.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deploymentInput from '../../../infra/plinth.config.ts';
import { parseDeploymentConfig } from '../../../libs/config/deployment.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createDeliveryQueue, type DeliveryMessage } from '../../../functions/webhooks/delays.ts';
import { deliverMessage, type DeliverDeps, type DeliverResult } from '../../../functions/webhooks/deliver.ts';
import { createDeliveryEntities } from '../../../functions/webhooks/delivery-entities.ts';
import { createDeliveryStore, type DeliveryStore } from '../../../functions/webhooks/delivery-store.ts';
import { createWebhookEntities, type EndpointItem } from '../../../functions/webhooks/entities.ts';
import { createRateLimiter } from '../../../functions/webhooks/rate-limit.ts';
import { createWebhookStore } from '../../../functions/webhooks/store.ts';
import { createSecretBox } from '../../../libs/crypto/secret-box.ts';
import { generateSigningSecret } from '../../../functions/webhooks/signing.ts';
import { sweepOverdue } from '../../../functions/webhooks/sweep.ts';
import { eventually } from '../../support/eventually.ts';
import { tenantItem } from '../../support/items.ts';
import { createTestTables } from '../../support/tables.ts';
import { startWebhookQueues, type WebhookQueues } from '../../support/webhook-queues.ts';

const region = 'us-east-1';
const tenantId = `ten_${ulid()}`;
const webhooks = { retryScheduleSeconds: [0, 1, 1], timeoutSeconds: 1, disableAfterDays: 5 };
const secretBox = createSecretBox('integration-test-webhook-secret-key-0123456789');
let queues: WebhookQueues;
let sqs: SQSClient;
let deliveriesUrl: string;
let deadLetterUrl: string;
let entities: ReturnType<typeof createDeliveryEntities> &
  ReturnType<typeof createWebhookEntities> &
  ReturnType<typeof createEntities>;
let store: DeliveryStore;
let deps: DeliverDeps;
const results: DeliverResult[] = [];

beforeAll(async () => {
  const tables = await createTestTables();
  const shared = createEntities(tables);
  entities = { ...shared, ...createDeliveryEntities(tables), ...createWebhookEntities(tables) };
  queues = await startWebhookQueues(region);
  sqs = queues.sqs;
  const { deliveries } = queues;
  deliveriesUrl = deliveries.url;
  deadLetterUrl = deliveries.deadLetterUrl;
  const deployment = parseDeploymentConfig({ ...deploymentInput, webhooks });
  store = createDeliveryStore({ entities, sqs, deliveriesQueueUrl: deliveriesUrl, deployment });
  deps = {
    store,
    endpoints: createWebhookStore(entities),
    queue: createDeliveryQueue({
      sqs,
      // Every delay in these tests is within SQS's own 15 minutes.
      scheduler: new SchedulerClient({ region, endpoint: 'http://127.0.0.1:9' }),
      queueUrl: deliveriesUrl,
      queueArn: deliveries.arn,
      scheduleGroupName: 'test',
      schedulerRoleArn: 'arn:aws:iam::000000000000:role/test',
    }),
    rateLimiter: createRateLimiter({ entities }),
    secretBox,
    webhooks,
    guard: { local: true },
  };
  await entities.tenant.create(tenantItem({ tenantId })).go();
});

afterAll(async () => {
  await queues?.stop();
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = number | { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A receiver on 127.0.0.1 giving `answers` in turn (the last one again once they run out). */
async function startReceiver(answers: Answer[]) {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
      if (answer === 'hang') return;
      const { status, body, headers } = typeof answer === 'number' ? { status: answer } : answer;
      res.writeHead(status, headers).end(body ?? `answer ${requests.length}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function newEndpoint(url: string, overrides: Partial<EndpointItem> = {}) {
  const secret = generateSigningSecret();
  const now = new Date().toISOString();
  const endpoint: EndpointItem = {
    tenantId,
    endpointId: `ep_${ulid()}`,
    url,
    eventTypes: ['*'],
    enabled: true,
    secrets: [{ sealed: secretBox.seal(secret), createdAt: now }],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await entities.webhookEndpoint.create(endpoint).go();
  return { endpoint, secret };
}

/** A pending delivery of a fresh event to the endpoint, with its first message queued. */
async function queueDelivery(endpoint: EndpointItem) {
  const now = new Date();
  const event = {
    id: ulid(),
    type: 'tenant.updated',
    version: 1,
    tenantId,
    actor: { type: 'user', id: 'usr_1' },
    occurredAt: now.toISOString(),
    data: { changes: { name: { from: 'a', to: 'b' } } },
  };
  const delivery = await store.newDelivery(event, endpoint.endpointId, now);
  await store.createDelivery(delivery);
  const message: DeliveryMessage = {
    tenantId,
    endpointId: endpoint.endpointId,
    deliveryId: event.id,
    attempt: 1,
  };
  await deps.queue.enqueue(message, 0, now);
  return message;
}

/** Plays the queue's event source mapping until `done` holds: receive, deliver, delete. */
async function deliverUntil<T>(done: () => Promise<T | undefined>, what: string, with_: DeliverDeps = deps) {
  return eventually(async () => {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deliveriesUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    await Promise.all(
      (received.Messages ?? []).map(async (m) => {
        results.push(await deliverMessage(JSON.parse(m.Body!) as DeliveryMessage, with_));
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: deliveriesUrl, ReceiptHandle: m.ReceiptHandle! }),
        );
      }),
    );
    return done();
  }, what);
}

const attemptsOf = async (m: DeliveryMessage) =>
  (await store.listAttempts(m.tenantId, m.endpointId, m.deliveryId, { limit: 50 })).items;
const deliveryOf = (m: DeliveryMessage) => store.getDelivery(m.tenantId, m.endpointId, m.deliveryId);
const finished = (m: DeliveryMessage) => async () => {
  const d = await deliveryOf(m);
  return d && d.status !== 'pending' ? d : undefined;
};

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

async function endpointOf(endpoint: EndpointItem): Promise<EndpointItem> {
  const { data } = await entities.webhookEndpoint
    .get({ tenantId, endpointId: endpoint.endpointId })
    .go({ consistent: true });
  return data!;
}

/** The DLQ's messages for `deliveryId`, left visible so a later look sees them again. */
async function deadLetteredNow(deliveryId: string) {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return (received.Messages ?? []).filter(
    (m) => (JSON.parse(m.Body!) as DeliveryMessage).deliveryId === deliveryId,
  );
}

describe('delivering webhooks', () => {
  it('500, 500, then 200: three attempts logged, one success, the same verifiable webhook-id on each', async () => {
    const receiver = await startReceiver([500, 500, 200]);
    const { endpoint, secret } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);

    const delivery = await deliverUntil(finished(message), 'the delivery to finish');

    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
    expect((await attemptsOf(message)).map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([`msg_${message.deliveryId}`]),
    );
    for (const request of receiver.requests) {
      expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toEqual(
        JSON.parse(delivery.payload),
      );
      expect(request.headers['user-agent']).toBe('Plinth-Webhooks/1');
      expect(request.headers['content-type']).toBe('application/json');
    }
    await receiver.close();
  });

  it('a 400 is not retried: one attempt, the delivery failed, and nothing for the operator in the DLQ', async () => {
    const receiver = await startReceiver([400, 200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);

    const delivery = await deliverUntil(finished(message), 'the delivery to finish');

    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400 });
    expect(receiver.requests).toHaveLength(1);
    expect(await deadLetteredNow(message.deliveryId)).toEqual([]);
    await receiver.close();
  });

  it("after the last attempt fails, the delivery is failed with its attempts logged, and the operator's DLQ stays empty", async () => {
    const receiver = await startReceiver([503]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);

    const delivery = await deliverUntil(finished(message), 'the delivery to finish');

    expect(delivery).toMatchObject({ status: 'failed', attempts: webhooks.retryScheduleSeconds.length });
    expect(delivery.lastError).toContain('503');
    expect(await attemptsOf(message)).toHaveLength(webhooks.retryScheduleSeconds.length);
    expect(await deadLetteredNow(message.deliveryId)).toEqual([]);
    await receiver.close();
  });

  it('an attempt that throws (a secret the key cannot open) is redriven to the DLQ by the queue', async () => {
    const receiver = await startReceiver([200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);
    const broken = { ...deps, secretBox: createSecretBox('another-key-that-opens-nothing-0123456789') };

    // Plays the event source mapping of a consumer that throws: the message is never deleted, and
    // (visible again at once) comes back until the queue's maxReceiveCount sends it to the DLQ.
    const parked = await eventually(async () => {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deliveriesUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      for (const m of received.Messages ?? []) {
        await deliverMessage(JSON.parse(m.Body!) as DeliveryMessage, broken).catch(() => undefined);
      }
      const [dead] = await deadLetteredNow(message.deliveryId);
      return dead;
    }, 'the message of the throwing attempt in the DLQ');

    expect(JSON.parse(parked.Body!)).toEqual(message);
    expect(receiver.requests).toHaveLength(0);
    await receiver.close();
  });

  it('duplicate messages for the same attempt make one POST and log one attempt', async () => {
    const receiver = await startReceiver([200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);
    for (let i = 0; i < 3; i++) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: deliveriesUrl, MessageBody: JSON.stringify(message) }),
      );
    }

    await deliverUntil(finished(message), 'the delivery to finish');
    await deliverUntil(() => Promise.resolve(true), 'the duplicates to be consumed');

    expect(receiver.requests).toHaveLength(1);
    expect(await attemptsOf(message)).toHaveLength(1);
    await receiver.close();
  });

  it('no answer within the timeout is retried like a network error', async () => {
    const receiver = await startReceiver(['hang', 200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);

    const delivery = await deliverUntil(finished(message), 'the delivery to finish');

    const attempts = await attemptsOf(message);
    expect(delivery.status).toBe('succeeded');
    expect(attempts[0]?.error).toMatch(/No answer within 1 s/);
    expect(attempts[0]?.statusCode).toBeUndefined();
    await receiver.close();
  });

  it('keeps the first 4 KB of the answer with each attempt', async () => {
    const receiver = await startReceiver([{ status: 200, body: 'x'.repeat(10_000) }]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);

    await deliverUntil(finished(message), 'the delivery to finish');

    const [attempt] = await attemptsOf(message);
    expect(attempt?.responseBody).toBe('x'.repeat(4096));
    expect(attempt?.durationMs).toBeGreaterThanOrEqual(0);
    await receiver.close();
  });

  it('a single request signed during a rotation verifies with both the new and the old secret', async () => {
    const receiver = await startReceiver([200]);
    const previous = generateSigningSecret();
    const { endpoint, secret } = await newEndpoint(receiver.url);
    const rotated = {
      ...endpoint,
      endpointId: `ep_${ulid()}`,
      secrets: [
        ...endpoint.secrets,
        { sealed: secretBox.seal(previous), createdAt: endpoint.createdAt, expiresAt: inHours(24) },
        {
          sealed: secretBox.seal(generateSigningSecret()),
          createdAt: endpoint.createdAt,
          expiresAt: inHours(-1),
        },
      ],
    };
    await entities.webhookEndpoint.create(rotated).go();
    const message = await queueDelivery(rotated);

    await deliverUntil(finished(message), 'the delivery to finish');

    const [request] = receiver.requests;
    const headers = request!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(request!.body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(request!.body, headers)).toBeTruthy();
    await receiver.close();
  });

  it('retrying a delivery now makes one more attempt with the same webhook-id', async () => {
    const receiver = await startReceiver([400, 200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);
    await deliverUntil(finished(message), 'the first attempt');

    const reopened = await store.retryNow(tenantId, endpoint, message.deliveryId);
    const delivery = await deliverUntil(finished(message), 'the retry');

    expect(reopened.status).toBe('pending');
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([
      `msg_${message.deliveryId}`,
      `msg_${message.deliveryId}`,
    ]);
    await receiver.close();
  });

  it('the sweeper queues again a pending delivery whose message was lost', async () => {
    const receiver = await startReceiver([200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    const event = { id: ulid(longAgo.getTime()), type: 'tenant.updated', version: 1, tenantId };
    const lost = await store.newDelivery(
      { ...event, actor: { type: 'user', id: 'usr_1' }, occurredAt: longAgo.toISOString(), data: {} },
      endpoint.endpointId,
      longAgo,
    );
    await store.createDelivery(lost);
    const message = { tenantId, endpointId: endpoint.endpointId, deliveryId: lost.deliveryId, attempt: 1 };

    const requeued = await sweepOverdue({ store, webhooks });
    const delivery = await deliverUntil(finished(message), 'the swept delivery to finish');

    expect(requeued).toBeGreaterThanOrEqual(1);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
    expect(await sweepOverdue({ store, webhooks })).toBe(0);
    await receiver.close();
  });

  it('an endpoint over its rate limit gets its deliveries later, none lost and none counted twice', async () => {
    const receiver = await startReceiver([200]);
    const { endpoint } = await newEndpoint(receiver.url, { rateLimitPerSecond: 1 });
    const messages = await Promise.all([1, 2, 3, 4].map(() => queueDelivery(endpoint)));
    const before = results.length;

    await deliverUntil(async () => {
      const all = await Promise.all(messages.map((m) => finished(m)()));
      return all.every(Boolean) || undefined;
    }, 'all rate-limited deliveries to finish');

    expect(results.slice(before)).toContain('rate_limited');
    expect(receiver.requests).toHaveLength(4);
    for (const m of messages) expect(await attemptsOf(m)).toHaveLength(1);
    await receiver.close();
  });
});

describe('endpoint health', () => {
  it('a failure starts the failing streak and a success ends it', async () => {
    const receiver = await startReceiver([400, 200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const first = await queueDelivery(endpoint);
    await deliverUntil(finished(first), 'the failing delivery');
    const failing = await endpointOf(endpoint);

    const second = await queueDelivery(endpoint);
    await deliverUntil(finished(second), 'the succeeding delivery');

    expect(failing.failingSince).toBeDefined();
    expect((await endpointOf(endpoint)).failingSince).toBeUndefined();
    await receiver.close();
  });

  it('an endpoint failing for longer than disableAfterDays is disabled with an endpoint.disabled event', async () => {
    const receiver = await startReceiver([500]);
    const failingSince = new Date(Date.now() - 6 * 86_400_000).toISOString();
    const { endpoint } = await newEndpoint(receiver.url, { failingSince });
    const message = await queueDelivery(endpoint);

    await deliverUntil(
      async () => ((await endpointOf(endpoint)).enabled ? undefined : true),
      'the endpoint to be disabled',
    );

    expect(await endpointOf(endpoint)).toMatchObject({ enabled: false, disabledReason: 'failing' });
    const { data: events } = await entities.event.query.byTenant({ tenantId }).go({ pages: 'all' });
    const disabled = events.filter((e) => e.type === 'endpoint.disabled');
    expect(disabled.map((e) => e.data as unknown)).toEqual([
      { endpointId: endpoint.endpointId, url: endpoint.url, reason: 'failing', failingSince },
    ]);
    // The retry already queued finds the endpoint disabled: the delivery fails without another POST.
    const delivery = await deliverUntil(finished(message), 'the delivery to finish');
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastError: 'The endpoint is disabled.' });
    expect(receiver.requests).toHaveLength(1);
    await receiver.close();
  });

  it('a delivery to a deleted endpoint fails without a POST', async () => {
    const receiver = await startReceiver([200]);
    const { endpoint } = await newEndpoint(receiver.url);
    const message = await queueDelivery(endpoint);
    await entities.webhookEndpoint.delete({ tenantId, endpointId: endpoint.endpointId }).go();

    const delivery = await deliverUntil(finished(message), 'the delivery to finish');

    expect(delivery).toMatchObject({ status: 'failed', attempts: 0, lastError: 'The endpoint was deleted.' });
    expect(receiver.requests).toHaveLength(0);
    await receiver.close();
  });

  it('on AWS, an endpoint that is or resolves to a loopback address is refused at delivery time', async () => {
    const receiver = await startReceiver([200]);
    const onAws = { ...deps, guard: { local: false } };
    const byAddress = await newEndpoint(`https://127.0.0.1:${receiver.port}/hooks`);
    const byName = await newEndpoint(`https://localhost:${receiver.port}/hooks`);
    const messages = [await queueDelivery(byAddress.endpoint), await queueDelivery(byName.endpoint)];

    await deliverUntil(
      async () => {
        const attempts = await Promise.all(messages.map(attemptsOf));
        return attempts.every((a) => a.length > 0) || undefined;
      },
      'the first attempts',
      onAws,
    );

    for (const m of messages) {
      expect((await attemptsOf(m))[0]?.error).toMatch(/non-public address/);
    }
    expect(receiver.requests).toHaveLength(0);
    await receiver.close();
  });

  it("on one machine, a delivery to a port of Plinth's own services is refused at delivery time", async () => {
    const receiver = await startReceiver([200]);
    const local = { ...deps, guard: { local: true, refusedPorts: [receiver.port] } };
    const { endpoint } = await newEndpoint(`http://127.0.0.1:${receiver.port}/hooks`);
    const message = await queueDelivery(endpoint);

    await deliverUntil(
      async () => (await attemptsOf(message)).length > 0 || undefined,
      'the first attempt',
      local,
    );

    expect((await attemptsOf(message))[0]?.error).toMatch(/belongs to one of Plinth's own services/);
    expect(receiver.requests).toHaveLength(0);
    await receiver.close();
  });
});
