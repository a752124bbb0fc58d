// The webhooks functions' environment beyond the shared runtime: the delivery queue and its DLQ, the
// scheduler for long retries, and the role event destinations use (the keys: libs/config/keys.ts).
import * as z from 'zod';
import { loadRuntimeConfig, type RuntimeConfig } from '../../libs/config/runtime.ts';
import type { UrlGuardPolicy } from '../../libs/net/url-guard.ts';

export const webhooksEnvSchema = z
  .object({
    WEBHOOK_DELIVERIES_QUEUE_URL: z.string().min(1),
    WEBHOOK_DELIVERIES_QUEUE_ARN: z.string().min(1),
    /** A delivery whose last attempt failed is sent here, so it lands in the DLQ like any lost message. */
    WEBHOOK_DELIVERIES_DLQ_URL: z.string().min(1),
    SCHEDULE_GROUP_NAME: z.string().min(1),
    SCHEDULER_ROLE_ARN: z.string().min(1),
    /** Role EventBridge assumes to put events on a tenant's bus; absent where destinations are not offered. */
    EVENT_DESTINATION_ROLE_ARN: z.string().min(1).optional(),
    /** Where EventBridge parks an event it could not forward to a tenant's bus; set with the role. */
    EVENT_DESTINATION_DLQ_ARN: z.string().min(1).optional(),
    /** Comma-separated ports no delivery may reach: the local runtime's own services. */
    WEBHOOK_REFUSED_PORTS: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be comma-separated port numbers')
      .transform((ports) => ports.split(',').map(Number))
      .optional(),
  })
  .refine(
    (env) => (env.EVENT_DESTINATION_ROLE_ARN === undefined) === (env.EVENT_DESTINATION_DLQ_ARN === undefined),
    {
      message: 'set EVENT_DESTINATION_ROLE_ARN and EVENT_DESTINATION_DLQ_ARN together',
      path: ['EVENT_DESTINATION_DLQ_ARN'],
    },
  );

export interface WebhooksConfig {
  runtime: RuntimeConfig;
  deliveriesQueueUrl: string;
  deliveriesQueueArn: string;
  deliveriesDlqUrl: string;
  scheduleGroupName: string;
  schedulerRoleArn: string;
  eventDestinationRoleArn: string | undefined;
  eventDestinationDeadLetterArn: string | undefined;
  /** What the SSRF guard refuses, at save and at every delivery. */
  guard: UrlGuardPolicy;
}

/** Parses the environment once at cold start; a missing or bad variable fails with every problem named. */
export function loadWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const runtime = loadRuntimeConfig(env);
  const parsed = webhooksEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid webhooks function environment:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    runtime,
    deliveriesQueueUrl: e.WEBHOOK_DELIVERIES_QUEUE_URL,
    deliveriesQueueArn: e.WEBHOOK_DELIVERIES_QUEUE_ARN,
    deliveriesDlqUrl: e.WEBHOOK_DELIVERIES_DLQ_URL,
    scheduleGroupName: e.SCHEDULE_GROUP_NAME,
    schedulerRoleArn: e.SCHEDULER_ROLE_ARN,
    eventDestinationRoleArn: e.EVENT_DESTINATION_ROLE_ARN,
    eventDestinationDeadLetterArn: e.EVENT_DESTINATION_DLQ_ARN,
    guard: { local: runtime.local, refusedPorts: e.WEBHOOK_REFUSED_PORTS },
  };
}
