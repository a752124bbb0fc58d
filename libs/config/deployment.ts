// The operator's deployment config: regions with their residency zone, plan tiers and domain.
// Parsed once with zod by the CDK app and, from the PLINTH_DEPLOYMENT variable, by every function.
import * as z from 'zod';

export const residencyZones = ['US', 'EU'] as const;
export type ResidencyZone = (typeof residencyZones)[number];

const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-central-1');

export const planLimitsSchema = z.strictObject({
  /** Steady-state requests per second for one tenant (API Gateway usage plan rate). */
  requestsPerSecond: z.number().positive(),
  /** Burst above the steady rate (usage plan burst). */
  burst: z.number().int().positive(),
  /** Requests in a calendar month (usage plan quota). */
  monthlyRequests: z.number().int().positive(),
  /** Active API keys a tenant may hold at once. */
  apiKeys: z.number().int().positive(),
  /** Users a tenant may have. */
  users: z.number().int().positive(),
  /** Days that delivery logs and job records are kept. */
  retentionDays: z.number().int().positive(),
});
export type PlanLimits = z.infer<typeof planLimitsSchema>;

export const planSchema = z.strictObject({
  displayName: z.string().min(1),
  limits: planLimitsSchema,
});

export const deploymentConfigSchema = z
  .strictObject({
    /** A short name that prefixes stack names; lowercase letters, digits and dashes. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/),
    /** Where the global stack (tenant directory, console hosting) lives. */
    primaryRegion: awsRegion,
    regions: z
      .array(z.strictObject({ region: awsRegion, zone: z.enum(residencyZones) }))
      .min(1)
      .refine((r) => new Set(r.map((x) => x.region)).size === r.length, 'regions must not repeat'),
    plans: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{1,30}$/), planSchema)
      .refine((p) => Object.keys(p).length > 0, {
        message: 'at least one plan is required',
      }),
    /** Plan given to tenants created without one. */
    defaultPlan: z.string(),
    domain: z
      .strictObject({
        /** e.g. api.example.com; regional hosts become <region>.api.example.com. */
        api: z.string().min(3),
        console: z.string().min(3).optional(),
      })
      .optional(),
    /** Email address that receives alarm notifications. */
    alarmEmail: z.email().optional(),
    /** Seconds API Gateway caches an authorizer decision; suspension takes effect within this time. */
    authorizerCacheSeconds: z.number().int().min(0).max(3600).default(60),
    /** How webhooks are delivered: the retry schedule, timeouts and when a failing endpoint is disabled. */
    webhooks: z
      .strictObject({
        /**
         * Delay before each attempt, in seconds; the first entry is the first attempt. Delays past
         * SQS's 15 minutes go through EventBridge Scheduler. Each delay gets up to 10% jitter.
         */
        retryScheduleSeconds: z.array(z.number().int().min(0)).min(1).max(20),
        /** How long the delivery worker waits for a receiver's answer. */
        timeoutSeconds: z.number().int().min(1).max(60),
        /** An endpoint whose deliveries have all failed for this many days is disabled. */
        disableAfterDays: z.number().positive(),
      })
      .default({
        retryScheduleSeconds: [0, 5, 300, 1800, 7200, 18000, 36000, 36000],
        timeoutSeconds: 15,
        disableAfterDays: 5,
      }),
    /** Users, invitations and sign-in. */
    identity: z
      .strictObject({
        /** Days an invitation can be accepted, unless a tenant sets its own. */
        invitationExpiryDays: z.number().int().min(1).max(90),
      })
      .default({ invitationExpiryDays: 7 }),
    /**
     * Sender of Plinth's email (invitations, notices), sent through SES v2 on AWS. Its address or
     * domain must be a verified SES identity in every region.
     */
    mailFrom: z.string().min(3).default('Plinth <no-reply@example.com>'),
    /** Default S3 Object Lock retention for documents and backups, in days. */
    retention: z
      .strictObject({ documentsDays: z.number().int().positive(), backupsDays: z.number().int().positive() })
      .default({ documentsDays: 365, backupsDays: 35 }),
  })
  .superRefine((c, ctx) => {
    if (!(c.defaultPlan in c.plans)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultPlan'],
        message: `defaultPlan "${c.defaultPlan}" is not a plan`,
      });
    }
    if (!c.regions.some((r) => r.region === c.primaryRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['primaryRegion'],
        message: `primaryRegion "${c.primaryRegion}" must be one of the configured regions`,
      });
    }
  });

export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;
export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;

/** Validates a deployment config, throwing an error that lists every bad field. */
export function parseDeploymentConfig(input: unknown): DeploymentConfig {
  const parsed = deploymentConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`invalid Plinth deployment config:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Type helper for plinth.config.ts. */
export function defineConfig(config: DeploymentConfigInput): DeploymentConfigInput {
  return config;
}

export function zoneOf(config: DeploymentConfig, region: string): ResidencyZone | undefined {
  return config.regions.find((r) => r.region === region)?.zone;
}
