// The identity context's own environment, beside the runtime config every function reads.
import * as z from 'zod';

export const identityEnvSchema = z.object({
  /** The region's Cognito user pool. */
  USER_POOL_ID: z.string().min(1),
});

export interface IdentityEnv {
  userPoolId: string;
}

export function loadIdentityEnv(env: NodeJS.ProcessEnv = process.env): IdentityEnv {
  const parsed = identityEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid identity function environment:\n${z.prettifyError(parsed.error)}`);
  }
  return { userPoolId: parsed.data.USER_POOL_ID };
}
