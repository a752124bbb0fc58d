// Long work runs as jobs: a route answers 202 with a job resource and queues the work here.
import { defineContext } from '../../libs/manifest/types.ts';

export const manifest = defineContext({
  name: 'jobs',
  description: 'Runs queued jobs (exports, bulk operations, purges)',
  entry: 'functions/jobs/handler.ts',
  routes: [],
  queues: [
    { name: 'jobs', consumer: 'worker', batchSize: 5, maxReceiveCount: 5, visibilityTimeoutSeconds: 360 },
  ],
  access: { table: 'readwrite', bus: 'put', queues: [{ name: 'jobs', access: 'consume' }] },
  timeoutSeconds: 60,
});
