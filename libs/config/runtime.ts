// The environment every Plinth function starts with, parsed once at cold start.
import * as z from 'zod';
import { deploymentConfigSchema, type DeploymentConfig } from './deployment.ts';

const jsonConfig = z.string().transform((raw, ctx) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return z.NEVER;
  }
});

export const runtimeEnvSchema = z.object({
  /** The deployment config as JSON, written by the CDK stack or the local runtime. */
  PLINTH_DEPLOYMENT: jsonConfig.pipe(deploymentConfigSchema),
  /** The region this copy of Plinth serves. */
  PLINTH_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(1),
  DIRECTORY_TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  JOBS_QUEUE_URL: z.string().optional(),
  /** Set by the local runtime; relaxes nothing security-related, only names the environment. */
  PLINTH_LOCAL: z.enum(['true', 'false']).default('false'),
});

export interface RuntimeConfig {
  deployment: DeploymentConfig;
  region: string;
  tableName: string;
  directoryTableName: string;
  eventBusName: string;
  jobsQueueUrl: string | undefined;
  local: boolean;
}

export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const parsed = runtimeEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid Plinth function environment:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    deployment: e.PLINTH_DEPLOYMENT,
    region: e.PLINTH_REGION,
    tableName: e.TABLE_NAME,
    directoryTableName: e.DIRECTORY_TABLE_NAME,
    eventBusName: e.EVENT_BUS_NAME,
    jobsQueueUrl: e.JOBS_QUEUE_URL,
    local: e.PLINTH_LOCAL === 'true',
  };
}
