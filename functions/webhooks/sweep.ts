// The sweeper (every minute): pending deliveries whose next attempt is long overdue lost their queue
// message (a crash, a restart of the local runtime); they are queued again from the table.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { Page, PageRequest } from '../../libs/data/outbox.ts';
import {
  deliveryKey,
  dueFields,
  ifConditionHolds,
  sweepShardCount,
  type DeliveryEntities,
  type DeliveryItem,
} from './delivery-entities.ts';
import type { DeliveryMessage } from './delays.ts';

export interface SweepDeps {
  entities: Pick<DeliveryEntities, 'webhookDelivery'>;
  /** Sends messages due now (the delivery store's `enqueueNow`). */
  enqueueNow(messages: readonly DeliveryMessage[]): Promise<void>;
  webhooks: DeploymentConfig['webhooks'];
  clock?: () => Date;
}

/** Grace past the due time before a delivery counts as lost: a claimed attempt may still be running. */
export function overdueBefore(now: Date, timeoutSeconds: number): Date {
  return new Date(now.getTime() - (timeoutSeconds + 60) * 1000);
}

/** At most this many deliveries per partition and run; the next run picks up the rest. */
const maxPerShard = 500;

export async function sweepOverdue(deps: SweepDeps): Promise<number> {
  const clock = deps.clock ?? (() => new Date());
  const before = overdueBefore(clock(), deps.webhooks.timeoutSeconds);
  let requeued = 0;
  for (let shard = 0; shard < sweepShardCount; shard++) {
    let position: string | undefined;
    let seen = 0;
    do {
      const page = await listOverdue(deps, String(shard), before, { limit: 100, position });
      const messages: DeliveryMessage[] = [];
      for (const delivery of page.items) {
        if (await claimRequeue(deps, delivery, clock())) {
          messages.push({ ...deliveryKey(delivery), attempt: delivery.attempts + 1 });
        }
      }
      await deps.enqueueNow(messages);
      requeued += messages.length;
      seen += page.items.length;
      position = page.position ?? undefined;
    } while (position && seen < maxPerShard);
  }
  return requeued;
}

async function listOverdue(
  deps: SweepDeps,
  sweepShard: string,
  before: Date,
  page: PageRequest,
): Promise<Page<DeliveryItem>> {
  const result = await deps.entities.webhookDelivery.query
    .pendingByDue({ status: 'pending', sweepShard })
    .lt({ nextAttemptAt: before.toISOString() })
    .go({ limit: page.limit, cursor: page.position ?? null });
  return { items: result.data, position: result.cursor };
}

/**
 * Moves an overdue delivery's due time to now, unless anything changed it since it was read; only
 * then is it queued, so two sweeps never queue the same delivery and it is not queued again for a while.
 */
async function claimRequeue(deps: SweepDeps, delivery: DeliveryItem, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const result = await ifConditionHolds(
    deps.entities.webhookDelivery
      .patch(deliveryKey(delivery))
      .set({ ...dueFields(delivery, 'pending', at), updatedAt: at })
      .where(
        (a, op) =>
          `${op.eq(a.status, 'pending')} AND ${op.eq(a.attempts, delivery.attempts)} AND ${op.eq(a.nextAttemptAt, delivery.nextAttemptAt)}`,
      )
      .go({ response: 'none' }),
  );
  return result !== undefined;
}
