// The SQS event source mapping on one machine, against fauxqs: partial batch failures, whole-batch
// failures and redrive to the DLQ behave as Lambda with ReportBatchItemFailures does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { defineContext, type ContextManifest } from '../../../libs/manifest/types.ts';
import { createFunctionHost } from '../../../infra/local/functions.ts';
import { silentLog } from '../../../infra/local/log.ts';
import { startQueuePollers } from '../../../infra/local/queue-pollers.ts';
import {
  createDeclaredQueues,
  startSqsAndS3,
  type LocalQueue,
  type SqsAndS3,
} from '../../../infra/local/sqs-and-s3.ts';
import { eventually } from '../../support/eventually.ts';

const region = 'us-east-1';
let service: SqsAndS3;
let sqs: SQSClient;

beforeAll(async () => {
  service = await startSqsAndS3({ region });
  sqs = new SQSClient({
    endpoint: service.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await service?.stop();
});

interface Delivery {
  body: string;
  receiveCount: string;
  queueArn: string;
}

/** A context whose one queue is consumed by `consume`, with a one-second visibility timeout. */
async function setUp(name: string, consume: (event: SQSEvent) => unknown) {
  const context: ContextManifest = defineContext({
    name,
    description: 'test',
    entry: `test/${name}.ts`,
    routes: [],
    queues: [{ name, consumer: 'work', batchSize: 10, maxReceiveCount: 2, visibilityTimeoutSeconds: 1 }],
    access: {},
    timeoutSeconds: 1,
  });
  const queues = await createDeclaredQueues(sqs, [context], {
    queue: (n) => `${n}-queue`,
    deadLetterQueue: (n) => `${n}-dlq`,
  });
  const functions = createFunctionHost({
    region,
    namePrefix: 'test',
    load: () => Promise.resolve({ work: consume }),
  });
  const pollers = startQueuePollers({
    sqs,
    queues,
    contexts: [context],
    functions,
    region,
    log: silentLog,
    waitTimeSeconds: 1,
  });
  return { queue: queues.get(name)!, pollers };
}

async function send(queue: LocalQueue, bodies: string[]): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
    }),
  );
}

async function messagesLeft(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

function record(deliveries: Delivery[], event: SQSEvent): void {
  for (const r of event.Records)
    deliveries.push({
      body: r.body,
      receiveCount: r.attributes.ApproximateReceiveCount,
      queueArn: r.eventSourceARN,
    });
}

describe('SQS event source mapping', () => {
  it('a reported batch item failure keeps only that message, which lands in the DLQ after maxReceiveCount', async () => {
    const deliveries: Delivery[] = [];
    const { queue, pollers } = await setUp('partial', (event) => {
      record(deliveries, event);
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    try {
      await send(queue, ['ok-1', 'bad', 'ok-2']);

      const dead = await eventually(async () => {
        const received = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queue.deadLetterUrl, WaitTimeSeconds: 1 }),
        );
        return received.Messages?.[0];
      }, 'the failing message in the DLQ');

      expect(dead.Body).toBe('bad');
      expect(deliveries.filter((d) => d.body === 'bad').map((d) => d.receiveCount)).toEqual(['1', '2']);
      // Had the successes not been deleted, they would have come back with the failure's retry.
      expect(
        deliveries
          .filter((d) => d.body !== 'bad')
          .map((d) => d.body)
          .sort(),
      ).toEqual(['ok-1', 'ok-2']);
      expect(deliveries[0]!.queueArn).toBe(queue.arn);
      expect(await messagesLeft(queue.url)).toBe(0);
    } finally {
      await pollers.stop();
    }
  });

  it('a thrown error fails the whole batch, and every message comes back', async () => {
    const deliveries: Delivery[] = [];
    let calls = 0;
    const { queue, pollers } = await setUp('thrown', (event) => {
      record(deliveries, event);
      if (++calls === 1) throw new Error('database unavailable');
      return { batchItemFailures: [] };
    });
    try {
      await send(queue, ['a', 'b']);

      await eventually(
        () => deliveries.filter((d) => d.receiveCount === '2').length === 2 || undefined,
        'both messages again',
      );
      await eventually(async () => (await messagesLeft(queue.url)) === 0 || undefined, 'an empty queue');

      expect(
        deliveries
          .filter((d) => d.receiveCount === '1')
          .map((d) => d.body)
          .sort(),
      ).toEqual(['a', 'b']);
      expect(
        deliveries
          .filter((d) => d.receiveCount === '2')
          .map((d) => d.body)
          .sort(),
      ).toEqual(['a', 'b']);
    } finally {
      await pollers.stop();
    }
  });
});
