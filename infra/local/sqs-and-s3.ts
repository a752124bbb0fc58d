// SQS and S3 on one machine: fauxqs in this process, on loopback only, and the queues (each with its
// DLQ and redrive policy) and buckets the stacks would create. fauxqs keeps everything in memory, so
// queued messages and objects do not survive a restart; table data does.
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import { localAccountId } from './environment.ts';
import { resolveLocalhostSubdomains } from './localhost-dns.ts';

export interface SqsAndS3 {
  /** Reachable without name resolution, for the runtime's own clients and for other tools. */
  endpoint: string;
  /**
   * The endpoint handlers use: the host of every queue URL fauxqs hands out. The SDK sends each SQS
   * call to its queue URL's host, so using the same origin keeps it from rerouting (and warning).
   */
  sqsEndpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startSqsAndS3(options: { region: string; port?: number }): Promise<SqsAndS3> {
  const app = buildApp({ logger: false, defaultRegion: options.region });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const release = resolveLocalhostSubdomains();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sqsEndpoint: `http://sqs.${options.region}.localhost:${port}`,
    port,
    async stop() {
      await app.close();
      release();
    },
  };
}

export interface LocalQueue {
  /** The declared name, e.g. `jobs`. */
  name: string;
  url: string;
  arn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
}

const days = (n: number) => String(n * 24 * 60 * 60);

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return attributes.Attributes?.QueueArn ?? `arn:aws:sqs:unknown:${localAccountId}:${url.split('/').at(-1)}`;
}

/**
 * Creates every queue the contexts declare, each with a DLQ that takes a message after
 * `maxReceiveCount` receives (retention as the QueueWithDlq construct sets it).
 */
export async function createDeclaredQueues(
  sqs: SQSClient,
  contexts: readonly ContextManifest[],
  names: { queue(name: string): string; deadLetterQueue(name: string): string },
): Promise<Map<string, LocalQueue>> {
  const queues = new Map<string, LocalQueue>();
  for (const declaration of contexts.flatMap((c) => c.queues ?? [])) {
    const dead = await sqs.send(
      new CreateQueueCommand({
        QueueName: names.deadLetterQueue(declaration.name),
        Attributes: { MessageRetentionPeriod: days(14) },
      }),
    );
    const deadLetterUrl = dead.QueueUrl!;
    const deadLetterArn = await queueArn(sqs, deadLetterUrl);
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: names.queue(declaration.name),
        Attributes: {
          VisibilityTimeout: String(declaration.visibilityTimeoutSeconds),
          MessageRetentionPeriod: days(4),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetterArn,
            maxReceiveCount: String(declaration.maxReceiveCount),
          }),
        },
      }),
    );
    const url = queue.QueueUrl!;
    queues.set(declaration.name, {
      name: declaration.name,
      url,
      arn: await queueArn(sqs, url),
      deadLetterUrl,
      deadLetterArn,
    });
  }
  return queues;
}

export interface FailureQueues {
  /** Rule deliveries to a function that failed every attempt (the stacks' DeliveryFailures). */
  deliveries: string;
  /** Per stream consumer (`<context>-<export>`), batches it gave up on (the stacks' StreamFailures). */
  streams: Map<string, string>;
}

/** The queues where the stacks park what a function could not take: one for rule deliveries, one per stream consumer. */
export async function createFailureQueues(
  sqs: SQSClient,
  contexts: readonly ContextManifest[],
  names: { queue(name: string): string; eventDestinationFailures: string },
): Promise<FailureQueues> {
  const create = async (name: string) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: names.queue(name),
          Attributes: { MessageRetentionPeriod: days(14) },
        }),
      )
    ).QueueUrl!;
  const streams = new Map<string, string>();
  for (const context of contexts) {
    for (const stream of context.streams ?? []) {
      const id = `${context.name}-${stream.consumer}`;
      streams.set(id, await create(`${id}-stream-failures`));
    }
  }
  await sqs.send(
    new CreateQueueCommand({
      QueueName: names.eventDestinationFailures,
      Attributes: { MessageRetentionPeriod: days(14) },
    }),
  );
  return { deliveries: await create('delivery-failures'), streams };
}

/** Sends a message with string attributes, as EventBridge and Lambda send what they park. */
export async function sendWithAttributes(
  sqs: SQSClient,
  queueUrl: string,
  message: { body: string; attributes: Record<string, string> },
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.body,
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value },
        ]),
      ),
    }),
  );
}

export async function createBuckets(s3: S3Client, buckets: readonly string[]): Promise<void> {
  for (const bucket of buckets) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  }
}

/** Queue URLs by ARN, DLQs included: how a schedule's target ARN finds its queue. */
export function queueUrlsByArn(queues: ReadonlyMap<string, LocalQueue>): Map<string, string> {
  return new Map(
    [...queues.values()].flatMap((q): Array<[string, string]> => [
      [q.arn, q.url],
      [q.deadLetterArn, q.deadLetterUrl],
    ]),
  );
}
