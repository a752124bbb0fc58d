// The jobs context's own environment, beside the runtime config every function reads.
import * as z from 'zod';

export const jobsEnvSchema = z.object({
  /** Recovered webhook deliveries are queued here again. */
  WEBHOOK_DELIVERIES_QUEUE_URL: z.string().min(1),
});
