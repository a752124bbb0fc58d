// Long work runs as jobs: a route writes a job item in its transaction and answers 202; the table
// stream queues the job here, and the worker runs the runner registered for its kind.
import * as z from 'zod';
import { jobSchema } from '../../libs/jobs/job.ts';
import { defineContext, defineRoute } from '../../libs/manifest/types.ts';
import { keyEnvSchema } from '../../libs/config/keys.ts';
import { runtimeEnvSchema } from '../../libs/config/runtime.ts';
import { jobsEnvSchema } from './env.ts';

const jobPath = z.strictObject({ jobId: z.string().regex(/^job_[0-9A-Z]{26}$/, 'must be a job id') });
const listJobsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().optional(),
});

export const routes = {
  listJobs: defineRoute({
    operationId: 'listJobs',
    method: 'GET',
    path: '/v1/jobs',
    summary: "List the caller's tenant's jobs, newest first",
    tags: ['Jobs'],
    audience: 'tenant',
    permission: 'jobs:read',
    request: { query: listJobsQuery },
    responses: {
      200: {
        description: 'A page of jobs',
        schema: z
          .object({ items: z.array(jobSchema), nextCursor: z.string().optional() })
          .meta({ id: 'JobPage' }),
      },
    },
  }),
  getJob: defineRoute({
    operationId: 'getJob',
    method: 'GET',
    path: '/v1/jobs/{jobId}',
    summary: 'A job with its progress and per-row results',
    tags: ['Jobs'],
    audience: 'tenant',
    permission: 'jobs:read',
    request: { params: jobPath },
    responses: { 200: { description: 'The job', schema: jobSchema } },
  }),
};

export const manifest = defineContext({
  name: 'jobs',
  description: 'Queues and runs jobs (bulk operations, recoveries, exports) and reports their progress',
  entry: 'functions/jobs/handler.ts',
  apiHandler: 'api',
  routes: Object.values(routes),
  streams: [
    { consumer: 'enqueue', batchSize: 25, entity: 'job', eventNames: ['INSERT'], maxRetryAttempts: 10 },
  ],
  queues: [
    { name: 'jobs', consumer: 'worker', batchSize: 1, maxReceiveCount: 5, visibilityTimeoutSeconds: 960 },
  ],
  access: {
    table: 'readwrite',
    keys: ['cursor', 'mail'],
    queues: [
      { name: 'jobs', access: 'consume' },
      { name: 'jobs', access: 'send' },
      { name: 'webhook-deliveries', access: 'send' },
    ],
  },
  timeoutSeconds: 900,
  environment: runtimeEnvSchema.and(keyEnvSchema('cursor', 'mail')).and(jobsEnvSchema),
});
