// Access patterns of jobs: read one or a page, and move a job through queued → running → done,
// with its job.completed event written in the same transaction as the final status.
import { createWriteTransaction } from 'electrodb';
import type { Entities, JobItem } from '../../libs/data/entities.ts';
import { eventItem, type Page, type PageRequest } from '../../libs/data/outbox.ts';
import type { JobProgressUpdate } from '../../libs/jobs/job.ts';

export type JobOutcome = { status: 'succeeded' } | { status: 'failed'; error: string };

export function createJobStore(
  entities: Pick<Entities, 'job' | 'event'>,
  clock: () => Date = () => new Date(),
) {
  async function getJob(tenantId: string, jobId: string): Promise<JobItem | undefined> {
    const { data } = await entities.job.get({ tenantId, jobId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function listJobs(tenantId: string, page: PageRequest): Promise<Page<JobItem>> {
    const result = await entities.job.query
      .byTenant({ tenantId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  async function markRunning(job: JobItem): Promise<void> {
    await entities.job
      .patch({ tenantId: job.tenantId, jobId: job.jobId })
      .set({ status: 'running', updatedAt: clock().toISOString() })
      .go();
  }

  async function updateProgress(job: JobItem, progress: JobProgressUpdate): Promise<void> {
    await entities.job
      .patch({ tenantId: job.tenantId, jobId: job.jobId })
      .set({
        processed: progress.processed,
        succeeded: progress.succeeded,
        failed: progress.failed,
        ...(progress.results ? { results: progress.results } : {}),
        ...(progress.total !== undefined ? { total: progress.total } : {}),
        ...(progress.position !== undefined ? { position: progress.position } : {}),
        updatedAt: clock().toISOString(),
      })
      .go();
  }

  /** Records the final status; a job that already finished keeps its first outcome. */
  async function finish(tenantId: string, jobId: string, outcome: JobOutcome): Promise<void> {
    const job = await getJob(tenantId, jobId);
    if (!job || job.status === 'succeeded' || job.status === 'failed') return;
    const now = clock();
    const event = eventItem(
      tenantId,
      { type: 'system', id: 'jobs' },
      'job.completed',
      {
        jobId,
        kind: job.kind,
        status: outcome.status,
        total: job.total,
        succeeded: job.succeeded,
        failed: job.failed,
      },
      now,
    );
    await createWriteTransaction(entities, (e) => [
      e.job
        .patch({ tenantId, jobId })
        .set({
          status: outcome.status,
          processed: outcome.status === 'succeeded' ? Math.max(job.processed, job.total) : job.processed,
          completedAt: now.toISOString(),
          updatedAt: now.toISOString(),
          ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
        })
        .where((attr, op) => op.eq(attr.status, job.status))
        .commit(),
      e.event.create(event).commit(),
    ]).go();
  }

  return { getJob, listJobs, markRunning, updateProgress, finish };
}

export type JobStore = ReturnType<typeof createJobStore>;
