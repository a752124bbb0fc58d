// Which code runs each kind of job. Contexts add their long-running work here (exports, bulk
// operations, purges); a message naming an unknown kind fails and ends in the jobs DLQ, never dropped.
import * as z from 'zod';

export const jobMessageSchema = z.strictObject({
  jobId: z.string().min(1),
  tenantId: z.string().min(1),
  kind: z.string().min(1),
  input: z.record(z.string(), z.unknown()).default({}),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;

export type JobRunner = (job: JobMessage) => Promise<void>;

export function createJobDispatcher(runners: Readonly<Record<string, JobRunner>>) {
  return async function runJob(body: string): Promise<void> {
    const parsed = jobMessageSchema.safeParse(JSON.parse(body));
    if (!parsed.success) throw new Error(`malformed job message: ${z.prettifyError(parsed.error)}`);
    const runner = runners[parsed.data.kind];
    if (!runner) throw new Error(`no runner for job kind "${parsed.data.kind}"`);
    await runner(parsed.data);
  };
}

/** No capability queues jobs yet; later contexts register their runners here. */
export const jobRunners: Readonly<Record<string, JobRunner>> = {};
