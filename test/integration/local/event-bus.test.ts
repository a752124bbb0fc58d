// The local EventBridge, through the SDK's own EventBridgeClient: rules route matching events to
// their queue or consumer, and nothing else; what a target refuses ends up in its DLQ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { defineContext } from '../../../libs/manifest/types.ts';
import { startEventBus, type BusEvent, type LocalEventBus } from '../../../infra/local/event-bus.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import { silentLog } from '../../../infra/local/log.ts';
import {
  createDeclaredQueues,
  sendWithAttributes,
  startSqsAndS3,
  type LocalQueue,
  type SqsAndS3,
} from '../../../infra/local/sqs-and-s3.ts';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const billing = defineContext({
  name: 'billing',
  description: 'test',
  entry: 'test/billing.ts',
  routes: [],
  queues: [
    { name: 'invoices', consumer: 'invoice', batchSize: 1, maxReceiveCount: 3, visibilityTimeoutSeconds: 30 },
    { name: 'refunds', consumer: 'refund', batchSize: 1, maxReceiveCount: 3, visibilityTimeoutSeconds: 30 },
  ],
  rules: [
    {
      name: 'tenant-created',
      description: 'new tenants get an invoice',
      pattern: {
        source: ['plinth'],
        'detail-type': ['tenant.created'],
        detail: { data: { tenant: { plan: [{ 'anything-but': 'free' }] } } },
      },
      target: { queue: 'invoices' },
    },
    {
      name: 'refunded',
      description: 'refunds',
      pattern: { 'detail-type': ['payment.refunded'] },
      target: { queue: 'refunds' },
    },
    {
      name: 'audit',
      description: 'every plinth event',
      pattern: { source: [{ prefix: 'plinth' }] },
      target: { consumer: 'audit' },
    },
    {
      name: 'chargeback',
      description: 'a consumer that always fails',
      pattern: { 'detail-type': ['payment.chargeback'] },
      target: { consumer: 'chargeback' },
    },
  ],
  access: {},
});

let service: SqsAndS3;
let sqs: SQSClient;
let queues: Map<string, LocalQueue>;
let bus: LocalEventBus;
let client: EventBridgeClient;
let deliveryFailures: string;
const audited: BusEvent[] = [];

beforeAll(async () => {
  service = await startSqsAndS3({ region });
  sqs = new SQSClient({ endpoint: service.endpoint, region, credentials });
  deliveryFailures = (await sqs.send(new CreateQueueCommand({ QueueName: 'bus-delivery-failures' })))
    .QueueUrl!;
  queues = await createDeclaredQueues(sqs, [billing], {
    queue: (n) => `bus-${n}`,
    deadLetterQueue: (n) => `bus-${n}-dlq`,
  });
  bus = await startEventBus({
    busName: 'plinth-events',
    region,
    contexts: [billing],
    functions: createFunctionHost({
      region,
      namePrefix: 'test',
      load: () =>
        Promise.resolve({
          audit: (event: BusEvent) => void audited.push(event),
          chargeback: () => Promise.reject(new Error('the ledger is closed')),
        }),
    }),
    log: silentLog,
    deliveryAttempts: 2,
    sendToQueue: async (queue, body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.get(queue)!.url, MessageBody: body }));
    },
    targetArn: (target) =>
      'queue' in target
        ? queues.get(target.queue)!.arn
        : `arn:aws:lambda:${region}:000000000000:function:${target.function}`,
    sendToDeadLetterQueue: (target, message) =>
      sendWithAttributes(
        sqs,
        'queue' in target ? queues.get(target.queue)!.deadLetterUrl : deliveryFailures,
        message,
      ),
  });
  client = new EventBridgeClient({ endpoint: bus.endpoint, region, credentials });
});

afterAll(async () => {
  client?.destroy();
  await bus?.stop();
  sqs?.destroy();
  await service?.stop();
});

interface Received {
  body: string;
  attributes: Record<string, string | undefined>;
}

async function receiveFrom(url: string): Promise<Received[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
  );
  return (received.Messages ?? []).map((m) => ({
    body: m.Body!,
    attributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
    ),
  }));
}

async function receive(queue: string): Promise<string[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queues.get(queue)!.url, MaxNumberOfMessages: 10 }),
  );
  return (received.Messages ?? []).map((m) => m.Body!);
}

const tenantCreated = (plan: string) => ({
  EventBusName: 'plinth-events',
  Source: 'plinth',
  DetailType: 'tenant.created',
  Time: new Date('2026-03-01T10:00:00Z'),
  Detail: JSON.stringify({ id: 'ev1', data: { tenant: { id: 'ten_1', plan } } }),
});

describe('the local event bus', () => {
  it("delivers a PutEvents entry to the matching rule's queue as an EventBridge event, and not to the others", async () => {
    const result = await client.send(new PutEventsCommand({ Entries: [tenantCreated('starter')] }));
    await bus.settled();

    expect(result.FailedEntryCount).toBe(0);
    const [body, ...rest] = await receive('invoices');
    expect(rest).toEqual([]);
    expect(JSON.parse(body!)).toMatchObject({
      version: '0',
      id: result.Entries![0]!.EventId,
      source: 'plinth',
      'detail-type': 'tenant.created',
      time: '2026-03-01T10:00:00Z',
      region,
      account: '000000000000',
      detail: { data: { tenant: { plan: 'starter' } } },
    });
    expect(await receive('refunds')).toEqual([]);
    expect(audited.at(-1)?.id).toBe(result.Entries![0]!.EventId);
  });

  it('applies the whole pattern: an event that fails one field reaches no queue', async () => {
    await client.send(new PutEventsCommand({ Entries: [tenantCreated('free')] }));
    await bus.settled();

    expect(await receive('invoices')).toEqual([]);
    expect(bus.events().at(-1)?.rules).toEqual(['billing-audit']);
  });

  it('refuses entries EventBridge refuses, one by one', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...tenantCreated('starter'), Detail: '{not json' },
          { ...tenantCreated('starter'), EventBusName: 'someone-elses-bus' },
          { Source: 'plinth', DetailType: 'payment.refunded', Detail: '{}', EventBusName: 'plinth-events' },
        ],
      }),
    );
    await bus.settled();

    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries!.map((e) => e.ErrorCode)).toEqual([
      'MalformedDetail',
      'ResourceNotFoundException',
      undefined,
    ]);
    expect(await receive('refunds')).toHaveLength(1);
  });

  it("puts an event its queue refuses in that queue's DLQ with EventBridge's error attributes", async () => {
    // U+FFFE is valid JSON but not a character SQS carries.
    const note = 'refund \uFFFE for ten_1';
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'plinth-events',
            Source: 'plinth',
            DetailType: 'payment.refunded',
            Detail: JSON.stringify({ note }),
          },
        ],
      }),
    );
    await bus.settled();

    expect(await receive('refunds')).toEqual([]);
    const [parked, ...rest] = await receiveFrom(queues.get('refunds')!.deadLetterUrl);
    expect(rest).toEqual([]);
    expect(JSON.parse(parked!.body)).toMatchObject({ id: result.Entries![0]!.EventId, detail: { note } });
    expect(parked!.attributes).toMatchObject({
      ERROR_CODE: expect.stringContaining('InvalidMessageContents') as unknown,
      RULE_ARN: `arn:aws:events:${region}:000000000000:rule/plinth-events/billing-refunded`,
      TARGET_ARN: queues.get('refunds')!.arn,
      RETRY_ATTEMPTS: '1',
    });
    expect(parked!.attributes.ERROR_MESSAGE).toBeTruthy();
  });

  it('puts an event its function keeps failing in the delivery-failures queue', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'plinth-events',
            Source: 'billing',
            DetailType: 'payment.chargeback',
            Detail: '{}',
          },
        ],
      }),
    );
    await bus.settled();

    const [parked] = await receiveFrom(deliveryFailures);
    expect(JSON.parse(parked!.body)).toMatchObject({ id: result.Entries![0]!.EventId });
    expect(parked!.attributes).toMatchObject({
      ERROR_CODE: 'Error',
      ERROR_MESSAGE: 'the ledger is closed',
      RULE_ARN: `arn:aws:events:${region}:000000000000:rule/plinth-events/billing-chargeback`,
      TARGET_ARN: `arn:aws:lambda:${region}:000000000000:function:billing-chargeback`,
    });
  });
});
