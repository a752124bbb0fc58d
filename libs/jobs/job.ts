// Long work runs as a job: a route writes a job item in the same transaction as the rest of its
// change and answers 202 with the job resource; the jobs context queues it from the table stream and
// a runner registered for its kind processes it, reporting progress and a result per row.
import { ulid } from 'ulid';
import * as z from 'zod';
import type { JobItem } from '../data/entities.ts';

export interface NewJob {
  tenantId: string;
  /** The runner's name in functions/jobs/runners.ts, e.g. `invitations.bulk`. */
  kind: string;
  input: Record<string, unknown>;
  /** Rows the job will process, when known up front. */
  total: number;
  /** Who asked for it: `<actor type>:<actor id>`. */
  createdBy: string;
  /** Days the job record is kept (the plan's retention). */
  retentionDays: number;
}

export function newJobItem(job: NewJob, now: Date): JobItem {
  const at = now.toISOString();
  return {
    tenantId: job.tenantId,
    jobId: `job_${ulid(now.getTime())}`,
    kind: job.kind,
    status: 'queued',
    input: job.input,
    total: job.total,
    processed: 0,
    succeeded: 0,
    failed: 0,
    createdBy: job.createdBy,
    createdAt: at,
    updatedAt: at,
    expiresAt: Math.floor(now.getTime() / 1000) + job.retentionDays * 86_400,
  };
}

/** Counts a runner reports as it goes; `results` replaces the stored list when given. */
export interface JobProgressUpdate {
  processed: number;
  succeeded: number;
  failed: number;
  results?: unknown[];
  /** The total, once a runner that could not know it up front has found it. */
  total?: number;
  /** Where a paging runner got to; a re-run of the job reads `job.position` and goes on from there. */
  position?: string;
}

export interface JobProgress {
  update(progress: JobProgressUpdate): Promise<void>;
}

/**
 * Processes one job. It may run more than once for the same job (a retry after a crash), so it
 * must skip rows it already finished: `job.results` holds what the last run reported.
 */
export type JobRunner = (job: JobItem, progress: JobProgress) => Promise<void>;

export const jobSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    progress: z.object({
      total: z.number().int(),
      processed: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      /** Whole percent of rows processed; 100 once the job has finished. */
      percent: z.number().int().min(0).max(100),
    }),
    results: z.array(z.unknown()).optional(),
    error: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().optional(),
  })
  .meta({ id: 'Job', description: 'A long-running job with its progress and per-row results.' });

export type JobResource = z.infer<typeof jobSchema>;

export function jobResource(job: JobItem): JobResource {
  const finished = job.status === 'succeeded' || job.status === 'failed';
  const percent = finished ? 100 : job.total > 0 ? Math.floor((job.processed / job.total) * 100) : 0;
  return {
    id: job.jobId,
    kind: job.kind,
    status: job.status,
    progress: {
      total: job.total,
      processed: job.processed,
      succeeded: job.succeeded,
      failed: job.failed,
      percent,
    },
    ...(Array.isArray(job.results) ? { results: job.results as unknown[] } : {}),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  };
}

/** The `Location` of a job resource. */
export function jobLocation(jobId: string): string {
  return `/v1/jobs/${jobId}`;
}
