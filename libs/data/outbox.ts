// What every context's store shares: the outbox event item written inside each mutation's
// transaction (and the transaction of a change with its event), the page shape of list access
// patterns, and reading why a transaction was cancelled.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  createWriteTransaction,
  type CommittedTransactionResult,
  type TransactWriteEntities,
  type TransactWriteItem,
} from 'electrodb';
import type { EventData, EventType } from '../../events/catalog.ts';
import { createEvent, type PlinthEvent } from '../../events/envelope.ts';
import { Problem } from '../http/problem.ts';
import type { Entities, EventItem } from './entities.ts';

export type Actor = PlinthEvent['actor'];

export interface Page<T> {
  items: T[];
  /** ElectroDB's position after the last item; the route turns it into a signed cursor. */
  position: string | null;
}

export interface PageRequest {
  limit: number;
  position?: string | undefined;
}

/** The answer to a write whose condition saw the item change since it was read. */
export function concurrentUpdate(): Problem {
  return new Problem(
    409,
    'concurrent_update',
    'The resource changed while this request ran; read it and try again.',
  );
}

/** The answer to a transaction DynamoDB cancelled for a reason other than a condition: try again. */
export function transactionConflict(what: string): Problem {
  return new Problem(503, 'transaction_conflict', `${what}; try again.`);
}

/** A per-tenant limit that a create would pass: 409 `limit_reached` naming the limit and the resource. */
export function limitReached(limit: number, resource: string, detail: string): Problem {
  return new Problem(409, 'limit_reached', detail, { extensions: { limit, resource } });
}

/**
 * The condition of a counter that may take one more: nothing counted yet, or fewer than `limit`.
 * Use in an ElectroDB `where`: `.where((a, op) => underLimit(a.endpoints, limit, op))`.
 */
export function underLimit<T>(
  counter: T,
  limit: number,
  op: { notExists: (value: T) => string; lt: (value: T, limit: number) => string },
): string {
  return `${op.notExists(counter)} OR ${op.lt(counter, limit)}`;
}

/** The indexes of a cancelled transaction's items whose condition failed. */
export function rejectedIndexes(data: ReadonlyArray<{ rejected: boolean; code: string }>): number[] {
  return data.flatMap((d, i) => (d.rejected && d.code === 'ConditionalCheckFailed' ? [i] : []));
}

/** The outbox item of an event, checked against the catalog; put it in the mutation's transaction. */
export function eventItem<T extends EventType>(
  tenantId: string,
  actor: Actor,
  type: T,
  data: EventData<T>,
  now: Date,
): EventItem {
  const event = createEvent(type, tenantId, actor, data, now);
  return {
    tenantId,
    eventId: event.id,
    type: event.type,
    version: event.version,
    actor: event.actor,
    occurredAt: event.occurredAt,
    data: event.data,
  };
}

/** The entities a write transaction may span: ElectroDB's own bound, and the outbox's event. */
type OutboxEntities = Parameters<typeof createWriteTransaction>[0] & Pick<Entities, 'event'>;

/**
 * Writes `writes` and the event in one transaction. The writes carry the conditions that say the
 * item is still as it was read (`op.eq(a.updatedAt, current.updatedAt)`, a status); a cancelled
 * transaction is a condition that failed: 409 concurrent_update.
 */
export async function writeWithEvent<E extends OutboxEntities>(
  entities: E,
  event: EventItem,
  writes: (
    e: TransactWriteEntities<E>,
  ) => ReadonlyArray<CommittedTransactionResult<unknown, TransactWriteItem>>,
): Promise<void> {
  const result = await createWriteTransaction(entities, (e) => [
    ...writes(e),
    // `e.event` of a generic E is not resolved by TypeScript; E's event is the outbox's event entity.
    (e as TransactWriteEntities<Pick<Entities, 'event'>>).event.create(event).commit(),
  ]).go();
  if (result.canceled) throw concurrentUpdate();
}

/** A conditional write's result, or undefined when its condition did not hold. */
export async function ifConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (
      cause instanceof ConditionalCheckFailedException ||
      error instanceof ConditionalCheckFailedException
    ) {
      return undefined;
    }
    throw error;
  }
}
