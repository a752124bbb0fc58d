// Which code runs each kind of job. A message naming an unknown kind, or a job whose item is gone,
// fails and ends in the jobs DLQ; nothing is dropped silently.
import * as z from 'zod';
import type { JobRunner } from '../../libs/jobs/job.ts';

export const jobMessageSchema = z.strictObject({
  jobId: z.string().min(1),
  tenantId: z.string().min(1),
  kind: z.string().min(1),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;

export type JobRunners = Readonly<Record<string, JobRunner>>;

export function parseJobMessage(body: string): JobMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error('malformed job message: not JSON');
  }
  const parsed = jobMessageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`malformed job message: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function runnerFor(runners: JobRunners, kind: string): JobRunner {
  const runner = runners[kind];
  if (!runner) throw new Error(`no runner for job kind "${kind}"`);
  return runner;
}
