// Turns outbox event items from the table stream into EventBridge entries, and reports which stream
// records could not be published so that only those (and the ones after them) are retried.
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
  entry: PutEventsRequestEntry;
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
): Promise<DynamoDBBatchResponse> {
  const pending: Pending[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (!image || !sequenceNumber || record.eventName !== 'INSERT') continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.__edb_e__ !== 'event') continue;
    pending.push({ sequenceNumber, entry: toEntry(item, deps.busName) });
  }

  for (let start = 0; start < pending.length; start += maxEntriesPerCall) {
    const chunk = pending.slice(start, start + maxEntriesPerCall);
    try {
      const result = await deps.eventBridge.send(
        new PutEventsCommand({ Entries: chunk.map((p) => p.entry) }),
      );
      const failed = (result.Entries ?? []).findIndex((e) => e.ErrorCode !== undefined);
      if (failed >= 0) return { batchItemFailures: [{ itemIdentifier: chunk[failed]!.sequenceNumber }] };
    } catch {
      // Stream order matters: report the first unpublished record; it and all after it come again.
      return { batchItemFailures: [{ itemIdentifier: chunk[0]!.sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}
