// The `webhooks.recover` job: after an endpoint's outage, re-send every delivery to it that failed,
// for events since a given time, with the same webhook-id so receivers can still deduplicate. The
// request only writes the job; all reading happens here, resumable from the job's saved position.
import { createConversions } from 'electrodb';
import { encodeTime } from 'ulid';
import * as z from 'zod';
import { readFilteredPage } from '../../libs/data/filtered-page.ts';
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

/** Failed deliveries one page of a recovery reads at most; the job's position is saved after each. */
const pageSize = 100;

/**
 * What a recovery re-sends, oldest first: failed deliveries of events in the range that last changed
 * before it was requested. Those it re-sends change, so a re-run of the same job skips them. A page
 * reads a bounded number of deliveries and may come back short (even empty) with a position.
 */
export async function listRecoverable(
  entities: Pick<DeliveryEntities, 'webhookDelivery'>,
  key: { tenantId: string; endpointId: string },
  range: RecoverRange,
  page: PageRequest,
): Promise<Page<DeliveryItem>> {
  const query = entities.webhookDelivery.query
    .byEndpoint(key)
    .between({ deliveryId: firstIdAt(range.since) }, { deliveryId: lastId })
    .where((a, op) => `${op.eq(a.status, 'failed')} AND ${op.lt(a.updatedAt, range.asOf.toISOString())}`);
  const cursors = createConversions(entities.webhookDelivery).byAccessPattern.byEndpoint.fromComposite;
  return readFilteredPage(
    (read) => query.go({ ...read, order: 'asc' }),
    (d) => cursors.toCursor(deliveryKey(d)),
    page,
  );
}

export interface RecoverRunnerDeps {
  store: Pick<DeliveryStore, 'reopen' | 'enqueueNow'>;
  entities: Pick<DeliveryEntities, 'webhookDelivery'> & Pick<WebhookEntities, 'webhookEndpoint'>;
}

/**
 * Pages through the endpoint's recoverable deliveries, saving its counts and position after each
 * page: a re-run (the queue's retry after a crash or a timeout) goes on from there. The total is
 * unknown until the last page: counting first would read everything twice.
 */
export function createRecoverRunner(deps: RecoverRunnerDeps): JobRunner {
  return async (job, progress) => {
    const parsed = recoverInputSchema.safeParse(job.input);
    if (!parsed.success) throw new Error(`invalid recovery input: ${z.prettifyError(parsed.error)}`);
    const key = { tenantId: job.tenantId, endpointId: parsed.data.endpointId };
    const { data: endpoint } = await deps.entities.webhookEndpoint.get(key).go({ consistent: true });
    if (!endpoint) throw new Error('The endpoint was deleted.');
    if (!endpoint.enabled) throw new Error('The endpoint is disabled; enable it, then recover again.');

    const range = { since: new Date(parsed.data.since), asOf: new Date(job.createdAt) };
    let { processed, succeeded, failed } = job;
    let position = job.position;
    do {
      const page = await listRecoverable(deps.entities, key, range, { limit: pageSize, position });
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
      position = page.position ?? undefined;
      await progress.update({
        processed,
        succeeded,
        failed,
        ...(position === undefined ? { total: processed } : { position }),
      });
    } while (position);
  };
}
