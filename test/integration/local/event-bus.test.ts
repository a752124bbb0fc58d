// The local EventBridge, through the SDK's own EventBridgeClient: rules route matching events to
// their queue or consumer, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defineContext } from '../../../libs/manifest/types.ts';
import { startEventBus, type BusEvent, type LocalEventBus } from '../../../infra/local/event-bus.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import { silentLog } from '../../../infra/local/log.ts';
import {
  createDeclaredQueues,
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
  ],
  access: {},
});

let service: SqsAndS3;
let sqs: SQSClient;
let queues: Map<string, LocalQueue>;
let bus: LocalEventBus;
let client: EventBridgeClient;
const audited: BusEvent[] = [];

beforeAll(async () => {
  service = await startSqsAndS3({ region });
  sqs = new SQSClient({ endpoint: service.endpoint, region, credentials });
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
      load: () => Promise.resolve({ audit: (event: BusEvent) => void audited.push(event) }),
    }),
    log: silentLog,
    sendToQueue: async (queue, body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.get(queue)!.url, MessageBody: body }));
    },
  });
  client = new EventBridgeClient({ endpoint: bus.endpoint, region, credentials });
});

afterAll(async () => {
  client?.destroy();
  await bus?.stop();
  sqs?.destroy();
  await service?.stop();
});

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
});
