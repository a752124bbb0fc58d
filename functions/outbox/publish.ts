// Turns outbox event items from the table stream into EventBridge entries, and reports which stream
// records could not be published. Chunks go out in stream order and the first chunk with a failure
// stops the batch: Lambda retries from the lowest reported sequence number, so every record from
// there on comes again, and a retry re-publishes as little as possible.
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventSource } from '../../events/catalog.ts';
import type { PlinthEvent } from '../../events/envelope.ts';

/** PutEvents takes at most ten entries a call. */
const maxEntriesPerCall = 10;

interface Pending {
  sequenceNumber: string;
  tenantId: string;
  eventId: string;
  entry: PutEventsRequestEntry;
}

/** An event that was not published, with what EventBridge said; it carries no event data. */
export interface PublishFailure {
  tenantId: string;
  eventId: string;
  sequenceNumber: string;
  error: string;
}

export interface PublishBatchResult {
  response: DynamoDBBatchResponse;
  published: number;
  /** The events the failed call refused; the records after them are reported but not listed here. */
  failures: PublishFailure[];
}

export function toEntry(item: Record<string, unknown>, busName: string): PutEventsRequestEntry {
  const event: PlinthEvent = {
    id: String(item.eventId),
    type: item.type as PlinthEvent['type'],
    version: Number(item.version),
    tenantId: String(item.tenantId),
    actor: item.actor as PlinthEvent['actor'],
    occurredAt: String(item.occurredAt),
    data: item.data as PlinthEvent['data'],
  };
  return {
    EventBusName: busName,
    Source: eventSource,
    DetailType: event.type,
    Time: new Date(event.occurredAt),
    Detail: JSON.stringify(event),
  };
}

export async function publishStreamBatch(
  event: DynamoDBStreamEvent,
  deps: { eventBridge: EventBridgeClient; busName: string },
): Promise<PublishBatchResult> {
  const pending: Pending[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!image || !sequenceNumber || record.eventName !== 'INSERT') continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.__edb_e__ !== 'event') continue;
    pending.push({
      sequenceNumber,
      tenantId: String(item.tenantId),
      eventId: String(item.eventId),
      entry: toEntry(item, deps.busName),
    });
  }

  let published = 0;
  for (let start = 0; start < pending.length; start += maxEntriesPerCall) {
    const chunk = pending.slice(start, start + maxEntriesPerCall);
    const failures = await putChunk(deps.eventBridge, chunk);
    if (failures.length === 0) {
      published += chunk.length;
      continue;
    }
    const failed = new Set(failures.map((f) => f.sequenceNumber));
    published += chunk.length - failed.size;
    const unpublished = [
      ...chunk.filter((p) => failed.has(p.sequenceNumber)),
      ...pending.slice(start + maxEntriesPerCall),
    ];
    return {
      response: { batchItemFailures: unpublished.map((p) => ({ itemIdentifier: p.sequenceNumber })) },
      published,
      failures,
    };
  }
  return { response: { batchItemFailures: [] }, published, failures: [] };
}

/** Puts one chunk; the entries EventBridge did not take, all of them when the call itself failed. */
async function putChunk(
  eventBridge: EventBridgeClient,
  chunk: readonly Pending[],
): Promise<PublishFailure[]> {
  const failure = (p: Pending, error: string): PublishFailure => ({
    tenantId: p.tenantId,
    eventId: p.eventId,
    sequenceNumber: p.sequenceNumber,
    error,
  });
  let output;
  try {
    output = await eventBridge.send(new PutEventsCommand({ Entries: chunk.map((p) => p.entry) }));
  } catch (error) {
    const said = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return chunk.map((p) => failure(p, said));
  }
  const failedCount = output.FailedEntryCount ?? 0;
  // Result entries are in the order of the request's; when some failed, one without a result is
  // not known to be published.
  return chunk.flatMap((p, i) => {
    const result = output.Entries?.[i];
    if (result?.ErrorCode !== undefined) {
      return [failure(p, `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim())];
    }
    return failedCount > 0 && result === undefined ? [failure(p, 'no result for this entry')] : [];
  });
}
