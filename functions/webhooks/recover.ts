// The `webhooks.recover` job: after an endpoint's outage, re-send every delivery to it that failed,
// for events since a given time, with the same webhook-id so receivers can still deduplicate.
import { encodeTime } from 'ulid';
import * as z from 'zod';
import type { Page, PageRequest } from '../../libs/data/outbox.ts';
import type { JobRunner } from '../../libs/jobs/job.ts';
import { deliveryKey, type DeliveryEntities, type DeliveryItem } from './delivery-entities.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { WebhookEntities } from './entities.ts';

export const recoverInputSchema = z.strictObject({ endpointId: z.string().min(1), since: z.iso.datetime() });

export interface RecoverRange {
  /** Deliveries of events at or after this time. */
  since: Date;
  /** The recovery's request time: deliveries that changed after it are not re-sent. */
  asOf: Date;
}

/** The lowest delivery id (a ULID) of an event at or after `at`, and the highest of any. */
const firstIdAt = (at: Date) => `${encodeTime(at.getTime(), 10)}0000000000000000`;
const lastId = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ';

/**
 * What a recovery re-sends, oldest first: failed deliveries of events in the range that last changed
 * before it was requested. Those it re-sends change, so a re-run of the same job skips them.
 */
export async function listRecoverable(
  entities: Pick<DeliveryEntities, 'webhookDelivery'>,
  key: { tenantId: string; endpointId: string },
  range: RecoverRange,
  page: PageRequest,
): Promise<Page<DeliveryItem>> {
  const result = await entities.webhookDelivery.query
    .byEndpoint(key)
    .between({ deliveryId: firstIdAt(range.since) }, { deliveryId: lastId })
    .where((a, op) => `${op.eq(a.status, 'failed')} AND ${op.lt(a.updatedAt, range.asOf.toISOString())}`)
    .go({ order: 'asc', count: page.limit, cursor: page.position ?? null });
  return { items: result.data, position: result.cursor };
}

/** How many deliveries a recovery requested at `range.asOf` will re-send: the job's total. */
export async function countRecoverable(
  entities: Pick<DeliveryEntities, 'webhookDelivery'>,
  key: { tenantId: string; endpointId: string },
  range: RecoverRange,
): Promise<number> {
  let total = 0;
  let position: string | undefined;
  do {
    const page = await listRecoverable(entities, key, range, { limit: 1000, position });
    total += page.items.length;
    position = page.position ?? undefined;
  } while (position);
  return total;
}

export interface RecoverRunnerDeps {
  store: Pick<DeliveryStore, 'reopen' | 'enqueueNow'>;
  entities: Pick<DeliveryEntities, 'webhookDelivery'> & Pick<WebhookEntities, 'webhookEndpoint'>;
}

export function createRecoverRunner(deps: RecoverRunnerDeps): JobRunner {
  return async (job, progress) => {
    const parsed = recoverInputSchema.safeParse(job.input);
    if (!parsed.success) throw new Error(`invalid recovery input: ${z.prettifyError(parsed.error)}`);
    const key = { tenantId: job.tenantId, endpointId: parsed.data.endpointId };
    const { data: endpoint } = await deps.entities.webhookEndpoint.get(key).go({ consistent: true });
    if (!endpoint) throw new Error('The endpoint was deleted.');
    if (!endpoint.enabled) throw new Error('The endpoint is disabled; enable it, then recover again.');

    const range = { since: new Date(parsed.data.since), asOf: new Date(job.createdAt) };
    // A re-run continues the counts of the run before it; the rows that run re-sent are skipped.
    let { processed, succeeded, failed } = job;
    let position: string | undefined;
    do {
      const page = await listRecoverable(deps.entities, key, range, { limit: 100, position });
      const messages = [];
      for (const delivery of page.items) {
        const reopened = await deps.store.reopen(delivery);
        processed++;
        if (reopened) {
          messages.push({ ...deliveryKey(reopened), attempt: reopened.attempts + 1 });
          succeeded++;
        } else {
          failed++;
        }
      }
      await deps.store.enqueueNow(messages);
      await progress.update({ processed, succeeded, failed });
      position = page.position ?? undefined;
    } while (position);
  };
}
