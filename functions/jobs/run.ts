// Runs one queued job: skips a job that already finished (a duplicate message), marks it running,
// hands it to its runner with a progress reporter, and records the outcome. A failure is retried by
// the queue; on the last receive the job is marked failed before the message goes to the DLQ.
import type { JobRunners, JobMessage } from './runners.ts';
import { runnerFor } from './runners.ts';
import type { JobStore } from './store.ts';

export interface RunJobDeps {
  store: JobStore;
  runners: JobRunners;
}

export interface Delivery {
  /** How many times the queue has handed out this message, this time included. */
  receiveCount: number;
  maxReceiveCount: number;
}

export async function runJob(message: JobMessage, delivery: Delivery, deps: RunJobDeps): Promise<void> {
  const { store } = deps;
  const job = await store.getJob(message.tenantId, message.jobId);
  if (!job) throw new Error(`job ${message.jobId} of tenant ${message.tenantId} does not exist`);
  if (job.status === 'succeeded' || job.status === 'failed') return;
  try {
    const runner = runnerFor(deps.runners, job.kind);
    await store.markRunning(job);
    await runner(job, { update: (progress) => store.updateProgress(job, progress) });
    await store.finish(job.tenantId, job.jobId, { status: 'succeeded' });
  } catch (error) {
    if (delivery.receiveCount >= delivery.maxReceiveCount) {
      const reason = error instanceof Error ? error.message : String(error);
      await store.finish(job.tenantId, job.jobId, { status: 'failed', error: reason });
    }
    throw error;
  }
}
