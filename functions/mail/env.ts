// The mail context's own environment, beside the runtime config every function reads.
import * as z from 'zod';

export const mailEnvSchema = z.object({
  /** The sender of every mail, an identity SES has verified. */
  MAIL_FROM: z.string().min(3),
});
