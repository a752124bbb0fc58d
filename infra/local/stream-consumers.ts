// DynamoDB stream event source mappings on one machine. Each `streams` declaration reads the main
// table's stream from its own position: records pass the same filter the CDK stack gives Lambda,
// go to the consumer in batches, and the position advances only past what succeeded. A reported
// batch item failure is retried from its sequence number; after maxRetryAttempts retries Lambda's
// on-failure record of the batch goes to the consumer's failure queue, as the stacks' SqsDlq
// destination, and the stream moves on. Positions persist in the data dir, so a restart neither
// skips nor replays what was done (delivery is at least once, as on AWS).
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import type { ContextManifest, StreamConsumerDeclaration } from '../../libs/manifest/types.ts';
import { StreamsError, type StreamShard, type StreamsApi } from './dynamodb-streams.ts';
import { localAccountId } from './environment.ts';
import { compileEventPattern, type EventPattern } from './event-pattern.ts';
import type { FunctionHost, LocalFunction } from './functions.ts';
import type { LocalLog } from './log.ts';
import { readJsonFile, writeJsonFile } from './state-files.ts';

export interface StreamConsumersOptions {
  dynamodb: DynamoDBClient;
  streams: StreamsApi;
  tableName: string;
  region: string;
  contexts: readonly ContextManifest[];
  functions: FunctionHost;
  /** Keeps each consumer's last processed sequence number per shard across restarts. */
  checkpointFile: string;
  /**
   * Sends the on-failure record of a batch given up on to the consumer's failure queue (the
   * stacks' StreamFailures DLQ), by consumer id (`<context>-<export>`).
   */
  sendToFailureQueue(consumer: string, record: string): Promise<void>;
  /**
   * Batches given up on are also appended here as JSON lines: the local queues live in memory and
   * the stream position has moved past the batch, so after a restart this is what still names it.
   */
  failuresFile?: string;
  log: LocalLog;
  /** @default 200 */
  pollIntervalMs?: number;
}

export interface StreamFailure {
  consumer: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  records: number;
  attempts: number;
  reason: string;
  at: string;
}

export interface StreamConsumers {
  /** Batches that failed past their retries, oldest first. */
  failures(): readonly StreamFailure[];
  stop(): Promise<void>;
}

/** ElectroDB writes the entity name of every item into this attribute. */
const entityAttribute = '__edb_e__';

/** Lambda filter criteria (same language as event patterns): new image for changes, old for removals. */
export function streamFilterPatterns(declaration: StreamConsumerDeclaration): EventPattern[] {
  const entity = { [entityAttribute]: { S: [declaration.entity] } };
  const changes = declaration.eventNames.filter((name) => name !== 'REMOVE');
  const patterns: EventPattern[] = [];
  if (changes.length > 0) patterns.push({ eventName: changes, dynamodb: { NewImage: entity } });
  if (declaration.eventNames.includes('REMOVE'))
    patterns.push({ eventName: ['REMOVE'], dynamodb: { OldImage: entity } });
  return patterns;
}

const checkpointsSchema = z.record(
  z.string(),
  z.object({
    streamArn: z.string(),
    shards: z.record(
      z.string(),
      z.object({ sequenceNumber: z.string().optional(), closed: z.boolean().optional() }),
    ),
  }),
);
type Checkpoints = z.infer<typeof checkpointsSchema>;

const seq = (record: DynamoDBRecord): string => record.dynamodb!.SequenceNumber!;
const lower = (a: string, b: string): string => (BigInt(a) <= BigInt(b) ? a : b);

/** The sequence number to retry from, or undefined when the whole batch succeeded. */
export function firstFailedSequence(batch: readonly DynamoDBRecord[], result: unknown): string | undefined {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  const all = batch.map(seq);
  if (!Array.isArray(failures)) return all[0];
  let first: string | undefined;
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    // An identifier that is not in the batch fails all of it, as Lambda does.
    if (typeof id !== 'string' || !all.includes(id)) return all[0];
    first = first === undefined ? id : lower(first, id);
  }
  return first;
}

interface Consumer {
  declaration: StreamConsumerDeclaration;
  fn: LocalFunction;
  matches: (record: DynamoDBRecord) => boolean;
}

interface ShardCursor {
  iterator?: string;
  retry?: { sequenceNumber: string; attempts: number };
  notBefore?: number;
}

export async function startStreamConsumers(options: StreamConsumersOptions): Promise<StreamConsumers> {
  const { streams, log, region } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const table = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const latestStreamArn = table.Table?.LatestStreamArn;
  if (!latestStreamArn) throw new Error(`table ${options.tableName} has no stream; create it with one`);
  const streamArn: string = latestStreamArn;

  const checkpoints: Checkpoints = readJsonFile(options.checkpointFile, checkpointsSchema) ?? {};
  const cursors = new Map<string, ShardCursor>();
  const failures: StreamFailure[] = [];
  const abort = new AbortController();

  function shardState(consumer: Consumer, shardId: string) {
    let state = checkpoints[consumer.fn.id];
    // A new stream (the table was recreated) starts from its beginning.
    if (!state || state.streamArn !== streamArn) {
      state = { streamArn, shards: {} };
      checkpoints[consumer.fn.id] = state;
    }
    return (state.shards[shardId] ??= {});
  }

  function save(
    consumer: Consumer,
    shardId: string,
    change: { sequenceNumber?: string; closed?: boolean },
  ): void {
    Object.assign(shardState(consumer, shardId), change);
    writeJsonFile(options.checkpointFile, checkpoints);
  }

  /** What Lambda sends an SQS on-failure destination for a stream batch: where it is, not its records. */
  function onFailureRecord(consumer: Consumer, shardId: string, batch: DynamoDBRecord[], attempts: number) {
    const arrival = (record: DynamoDBRecord) =>
      new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();
    return {
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:${region}:${localAccountId}:function:${consumer.fn.id}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: seq(batch[0]!),
        endSequenceNumber: seq(batch.at(-1)!),
        approximateArrivalOfFirstRecord: arrival(batch[0]!),
        approximateArrivalOfLastRecord: arrival(batch.at(-1)!),
        batchSize: batch.length,
        streamArn,
      },
    };
  }

  async function giveUp(
    consumer: Consumer,
    shardId: string,
    batch: DynamoDBRecord[],
    attempts: number,
    reason: string,
  ): Promise<void> {
    const failure: StreamFailure = {
      consumer: consumer.fn.id,
      shardId,
      firstSequenceNumber: seq(batch[0]!),
      lastSequenceNumber: seq(batch.at(-1)!),
      records: batch.length,
      attempts,
      reason,
      at: new Date().toISOString(),
    };
    failures.push(failure);
    if (options.failuresFile) appendFileSync(options.failuresFile, `${JSON.stringify(failure)}\n`);
    log.error(
      `${consumer.fn.id} gave up on ${batch.length} stream records after ${attempts} attempts: ${reason}`,
    );
    const record = JSON.stringify(onFailureRecord(consumer, shardId, batch, attempts));
    try {
      await options.sendToFailureQueue(consumer.fn.id, record);
    } catch (error) {
      log.error(`the failure queue of ${consumer.fn.id} refused its on-failure record ${record}`, error);
    }
  }

  async function openIterator(consumer: Consumer, shardId: string): Promise<string> {
    const after = shardState(consumer, shardId).sequenceNumber;
    if (after) {
      try {
        return await streams.getShardIterator(streamArn, shardId, 'AFTER_SEQUENCE_NUMBER', after);
      } catch (error) {
        if (!(error instanceof StreamsError && error.code === 'TrimmedDataAccessException')) throw error;
        log.warn(
          `${consumer.fn.id}: records after ${after} were trimmed; reading shard ${shardId} from its start`,
        );
      }
    }
    return streams.getShardIterator(streamArn, shardId, 'TRIM_HORIZON');
  }

  /** Invokes one batch; returns the sequence number to retry from, if any. */
  async function invoke(
    consumer: Consumer,
    batch: DynamoDBRecord[],
  ): Promise<{ retryFrom?: string; reason?: string }> {
    const event: DynamoDBStreamEvent = {
      Records: batch.map((record) => ({ ...record, awsRegion: region, eventSourceARN: streamArn })),
    };
    try {
      const retryFrom = firstFailedSequence(batch, await consumer.fn.invoke(event));
      return retryFrom ? { retryFrom, reason: `batch item failure at ${retryFrom}` } : {};
    } catch (error) {
      log.error(`${consumer.fn.id} failed a batch of ${batch.length} stream records`, error);
      return { retryFrom: seq(batch[0]!), reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async function pollShard(consumer: Consumer, shardId: string): Promise<boolean> {
    const key = `${consumer.fn.id} ${shardId}`;
    const cursor = cursors.get(key) ?? {};
    cursors.set(key, cursor);
    if (cursor.notBefore && Date.now() < cursor.notBefore) return false;
    cursor.iterator ??= await openIterator(consumer, shardId);

    let page: Awaited<ReturnType<StreamsApi['getRecords']>>;
    try {
      page = await streams.getRecords(cursor.iterator, 1000);
    } catch (error) {
      if (error instanceof StreamsError && error.code === 'ExpiredIteratorException') {
        cursor.iterator = undefined;
        return false;
      }
      throw error;
    }
    const { records } = page;
    const { batchSize, maxRetryAttempts } = consumer.declaration;
    let index = 0;
    while (index < records.length) {
      const batch: DynamoDBRecord[] = [];
      while (index < records.length && batch.length < batchSize) {
        if (consumer.matches(records[index]!)) batch.push(records[index]!);
        index++;
      }
      // Filtered-out records after the batch are covered by it, up to the next matching record.
      while (index < records.length && !consumer.matches(records[index]!)) index++;
      const covered = seq(records[index - 1]!);
      if (batch.length === 0) {
        save(consumer, shardId, { sequenceNumber: covered });
        continue;
      }
      const outcome = await invoke(consumer, batch);
      if (!outcome.retryFrom) {
        cursor.retry = undefined;
        save(consumer, shardId, { sequenceNumber: covered });
        continue;
      }
      const attempts = (cursor.retry?.sequenceNumber === outcome.retryFrom ? cursor.retry.attempts : 0) + 1;
      if (attempts > maxRetryAttempts) {
        await giveUp(consumer, shardId, batch, attempts, outcome.reason ?? 'failed');
        cursor.retry = undefined;
        save(consumer, shardId, { sequenceNumber: covered });
        continue;
      }
      const position = records.findIndex((r) => seq(r) === outcome.retryFrom);
      if (position > 0) save(consumer, shardId, { sequenceNumber: seq(records[position - 1]!) });
      cursor.retry = { sequenceNumber: outcome.retryFrom, attempts };
      cursor.notBefore = Date.now() + Math.min(pollIntervalMs * 2 ** (attempts - 1), 10_000);
      cursor.iterator = await streams.getShardIterator(
        streamArn,
        shardId,
        'AT_SEQUENCE_NUMBER',
        outcome.retryFrom,
      );
      return true;
    }
    cursor.iterator = page.nextIterator;
    if (!page.nextIterator) save(consumer, shardId, { closed: true });
    return records.length > 0;
  }

  async function pollConsumer(consumer: Consumer): Promise<boolean> {
    const shards: StreamShard[] = await streams.listShards(streamArn);
    const known = new Set(shards.map((s) => s.ShardId));
    let worked = false;
    for (const shard of shards) {
      if (shardState(consumer, shard.ShardId).closed) continue;
      const parent = shard.ParentShardId;
      // A child shard continues its parent's keys; it waits until the parent is read to its end.
      if (parent && known.has(parent) && !shardState(consumer, parent).closed) continue;
      worked = (await pollShard(consumer, shard.ShardId)) || worked;
    }
    return worked;
  }

  async function run(consumer: Consumer): Promise<void> {
    while (!abort.signal.aborted) {
      let worked = false;
      try {
        worked = await pollConsumer(consumer);
      } catch (error) {
        log.error(`reading the stream for ${consumer.fn.id} failed; trying again`, error);
      }
      if (!worked) await sleep(pollIntervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  }

  const loops: Array<Promise<void>> = [];
  for (const context of options.contexts) {
    for (const declaration of context.streams ?? []) {
      const filters = streamFilterPatterns(declaration).map(compileEventPattern);
      const consumer: Consumer = {
        declaration,
        fn: options.functions.forContext(context, declaration.consumer),
        matches: (record) => filters.some((filter) => filter(record)),
      };
      loops.push(run(consumer));
    }
  }

  return {
    failures: () => [...failures],
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
