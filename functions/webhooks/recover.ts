// The `webhooks.recover` job: after an endpoint's outage, re-send every delivery to it that failed,
// for events since a given time, with the same webhook-id so receivers can still deduplicate. The
// request only writes the job; all reading happens here, resumable from the job's saved position.
import * as z from 'zod';
import type { JobRunner } from '../../libs/jobs/job.ts';
import { nextAttemptMessage, type DeliveryStore } from './delivery-store.ts';
import type { WebhookStore } from './store.ts';

export const recoverInputSchema = z.strictObject({ endpointId: z.string().min(1), since: z.iso.datetime() });

/** Failed deliveries one page of a recovery reads at most; the job's position is saved after each. */
const pageSize = 100;

export interface RecoverRunnerDeps {
  store: Pick<DeliveryStore, 'listRecoverable' | 'reopen' | 'enqueueNow'>;
  endpoints: Pick<WebhookStore, 'getEndpoint'>;
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
    const endpoint = await deps.endpoints.getEndpoint(key.tenantId, key.endpointId);
    if (!endpoint) throw new Error('The endpoint was deleted.');
    if (!endpoint.enabled) throw new Error('The endpoint is disabled; enable it, then recover again.');

    const range = { since: new Date(parsed.data.since), asOf: new Date(job.createdAt) };
    let { processed, succeeded, failed } = job;
    let position = job.position;
    do {
      const page = await deps.store.listRecoverable(key, range, { limit: pageSize, position });
      const messages = [];
      for (const delivery of page.items) {
        const reopened = await deps.store.reopen(delivery);
        processed++;
        if (reopened) {
          messages.push(nextAttemptMessage(reopened));
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
