// Events of long-running jobs (bulk operations, recoveries, exports).
import * as z from 'zod';
import type { EventDefinition } from './definition.ts';

export const jobEvents = {
  'job.completed': {
    version: 1,
    description: 'A job finished: every row was processed (each row has its own result) or it failed.',
    schema: z.strictObject({
      jobId: z.string(),
      kind: z.string(),
      status: z.enum(['succeeded', 'failed']),
      total: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
    }),
  },
} as const satisfies Record<string, EventDefinition>;
