// The invitations context's own environment, beside the runtime config every function reads.
import * as z from 'zod';

export const invitationsEnvSchema = z.object({
  /** The region's Cognito user pool, where an accepted invitation creates the user. */
  USER_POOL_ID: z.string().min(1),
});
