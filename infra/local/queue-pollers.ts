// SQS event source mappings on one machine: per declared queue, long-poll it, hand the consumer an
// SQSEvent batch and delete what succeeded. With ReportBatchItemFailures (as the CDK stack sets it)
// only the reported messages stay; a thrown error or an unusable answer keeps the whole batch. Kept
// messages come back after the visibility timeout, and the queue's redrive policy moves a message
// to its DLQ after maxReceiveCount receives.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { ContextManifest, QueueDeclaration } from '../../libs/manifest/types.ts';
import type { FunctionHost, LocalFunction } from './functions.ts';
import type { LocalLog } from './log.ts';
import type { LocalQueue } from './sqs-and-s3.ts';

export interface QueuePollersOptions {
  sqs: SQSClient;
  /** The created queues, by declared name. */
  queues: ReadonlyMap<string, LocalQueue>;
  contexts: readonly ContextManifest[];
  functions: FunctionHost;
  region: string;
  log: LocalLog;
  /** Long-poll wait of each receive; a stop cuts it short. @default 20 */
  waitTimeSeconds?: number;
  /**
   * Batches of one queue in flight at once, as Lambda's SQS event source runs several concurrent
   * invocations (it starts at five and scales up). @default 5
   */
  pollersPerQueue?: number;
}

export interface QueuePollers {
  stop(): Promise<void>;
}

function messageAttributes(message: Message): SQSMessageAttributes {
  const attributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries<MessageAttributeValue>(message.MessageAttributes ?? {})) {
    attributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    };
  }
  return attributes;
}

export function toSqsEvent(messages: readonly Message[], queue: LocalQueue, region: string): SQSEvent {
  return {
    Records: messages.map((message): SQSRecord => ({
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: message.Attributes?.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp:
          message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: messageAttributes(message),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: region,
    })),
  };
}

/**
 * The message ids to delete after an invocation: all but the reported failures, or none when the
 * answer reports an id that is not in the batch (Lambda then treats the whole batch as failed).
 */
export function succeededMessageIds(event: SQSEvent, result: unknown): string[] {
  const ids = event.Records.map((r) => r.messageId);
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return ids;
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.includes(id)) return [];
    failed.add(id);
  }
  return ids.filter((id) => !failed.has(id));
}

export function startQueuePollers(options: QueuePollersOptions): QueuePollers {
  const { sqs, log } = options;
  const abort = new AbortController();
  // Every poller's receive and back-off listens on this one signal.
  setMaxListeners(0, abort.signal);
  const loops: Array<Promise<void>> = [];

  async function receiveBatch(declaration: QueueDeclaration, queue: LocalQueue): Promise<Message[]> {
    const batch: Message[] = [];
    const windowEnds = Date.now() + (declaration.maxBatchingWindowSeconds ?? 0) * 1000;
    for (;;) {
      const first = batch.length === 0;
      const remaining = Math.ceil((windowEnds - Date.now()) / 1000);
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: Math.min(10, declaration.batchSize - batch.length),
          WaitTimeSeconds: first ? (options.waitTimeSeconds ?? 20) : Math.max(0, Math.min(20, remaining)),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      );
      const messages = received.Messages ?? [];
      batch.push(...messages);
      if (batch.length >= declaration.batchSize || abort.signal.aborted) return batch;
      if (!first && messages.length === 0 && Date.now() >= windowEnds) return batch;
      if (first && messages.length === 0) return batch;
    }
  }

  async function deleteMessages(queue: LocalQueue, event: SQSEvent, ids: readonly string[]): Promise<void> {
    const handles = event.Records.filter((r) => ids.includes(r.messageId));
    for (let i = 0; i < handles.length; i += 10) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: handles
            .slice(i, i + 10)
            .map((r, n) => ({ Id: String(i + n), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }

  async function poll(
    declaration: QueueDeclaration,
    queue: LocalQueue,
    consumer: LocalFunction,
  ): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        const messages = await receiveBatch(declaration, queue);
        if (messages.length === 0) continue;
        const event = toSqsEvent(messages, queue, options.region);
        let succeeded: string[];
        try {
          succeeded = succeededMessageIds(event, await consumer.invoke(event));
        } catch (error) {
          log.error(
            `${consumer.id} failed a batch of ${messages.length} from queue ${declaration.name}; it will be retried`,
            error,
          );
          succeeded = [];
        }
        await deleteMessages(queue, event, succeeded);
        const kept = messages.length - succeeded.length;
        log.info(
          `queue ${declaration.name}: ${succeeded.length} done${kept > 0 ? `, ${kept} kept for retry` : ''}`,
        );
      } catch (error) {
        if (abort.signal.aborted) return;
        log.error(`polling queue ${declaration.name} failed; trying again in a second`, error);
        await sleep(1000, undefined, { signal: abort.signal }).catch(() => undefined);
      }
    }
  }

  for (const context of options.contexts) {
    for (const declaration of context.queues ?? []) {
      const queue = options.queues.get(declaration.name);
      if (!queue) throw new Error(`queue "${declaration.name}" of context ${context.name} was not created`);
      const consumer = options.functions.forContext(context, declaration.consumer);
      for (let i = 0; i < (options.pollersPerQueue ?? 5); i += 1)
        loops.push(poll(declaration, queue, consumer));
    }
  }

  return {
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
