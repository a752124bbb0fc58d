// The sweeper (every minute): pending deliveries whose next attempt is long overdue lost their queue
// message (a crash, a restart of the local runtime); they are queued again from the table.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { DeliveryMessage } from './delays.ts';
import { nextAttemptMessage, sweepShardCount, type DeliveryStore } from './delivery-store.ts';

export interface SweepDeps {
  store: Pick<DeliveryStore, 'listOverdue' | 'claimRequeue' | 'enqueueNow'>;
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
  const { store } = deps;
  const before = overdueBefore(clock(), deps.webhooks.timeoutSeconds);
  let requeued = 0;
  for (let shard = 0; shard < sweepShardCount; shard++) {
    let position: string | undefined;
    let seen = 0;
    do {
      const page = await store.listOverdue(String(shard), before, { limit: 100, position });
      const messages: DeliveryMessage[] = [];
      // Only a delivery whose due time this sweep moved is queued: two sweeps never queue one twice.
      for (const delivery of page.items) {
        if (await store.claimRequeue(delivery, clock())) messages.push(nextAttemptMessage(delivery));
      }
      await store.enqueueNow(messages);
      requeued += messages.length;
      seen += page.items.length;
      position = page.position ?? undefined;
    } while (position && seen < maxPerShard);
  }
  return requeued;
}
