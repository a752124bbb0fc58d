// What the handlers see on one machine: the same variables the CDK stacks give them on AWS
// (libs/config/runtime.ts), with local resource names, plus the SDK's standard endpoint variables
// that point every AWS client at the local stand-ins.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import {
  deadLetterUrlVariable,
  directoryTableName,
  eventBusName,
  queueArnVariable,
  queueUrlVariable,
  scheduleGroupName,
} from '../stacks/names.ts';

/** The account id AWS's own emulators and the local ARNs use. */
export const localAccountId = '000000000000';

export interface LocalNames {
  table: string;
  directoryTable: string;
  eventBus: string;
  queue(name: string): string;
  deadLetterQueue(name: string): string;
  buckets: { documents: string; backups: string; exports: string };
  /** The EventBridge Scheduler group one-time schedules (long webhook retries) are created in. */
  scheduleGroup: string;
  /** IAM roles that exist only as names here: the stand-ins check no permissions. */
  roles: { scheduler: string; eventDestinations: string };
}

export function localNames(deployment: Pick<DeploymentConfig, 'name'>, region: string): LocalNames {
  const prefix = deployment.name;
  return {
    table: `${prefix}-${region}`,
    directoryTable: directoryTableName(deployment),
    eventBus: eventBusName(deployment),
    queue: (name) => `${prefix}-${name}`,
    deadLetterQueue: (name) => `${prefix}-${name}-dlq`,
    buckets: {
      documents: `${prefix}-documents-${region}`,
      backups: `${prefix}-backups-${region}`,
      exports: `${prefix}-exports-${region}`,
    },
    scheduleGroup: scheduleGroupName(deployment),
    roles: { scheduler: `${prefix}-scheduler`, eventDestinations: `${prefix}-event-destinations` },
  };
}

export function localRoleArn(roleName: string): string {
  return `arn:aws:iam::${localAccountId}:role/${roleName}`;
}

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  s3: string;
  eventBridge: string;
  scheduler: string;
  /** SES v2: the local mail outbox. */
  ses: string;
  /** The local identity issuer (Cognito user pool). */
  cognito: string;
}

export interface LocalQueueAddresses {
  url: string;
  arn: string;
  deadLetterUrl: string;
}

export interface FunctionEnvironmentInput {
  deployment: DeploymentConfig;
  region: string;
  names: LocalNames;
  /** Each queue by its declared name. */
  queues: ReadonlyMap<string, LocalQueueAddresses>;
  cursorSecret: string;
  /** The key that encrypts webhook signing secrets at rest. */
  webhookSecretKey: string;
  /** The local user pool that issues the tokens the authorizer verifies. */
  identity: { userPoolId: string; clientIds: { firstParty: string; console: string }; jwksUrl: string };
  endpoints: LocalEndpoints;
  /** The local API's port: webhooks may no more reach it than the stand-ins. */
  apiPort: number;
}

/** Every port Plinth itself listens on here, so the SSRF guard keeps deliveries off them. */
function ownPorts(input: FunctionEnvironmentInput): number[] {
  const urls: Record<keyof LocalEndpoints, string> = input.endpoints;
  const ports = Object.values(urls).map((url) => Number(new URL(url).port));
  return [...new Set([input.apiPort, ...ports])].filter((port) => port > 0).sort((a, b) => a - b);
}

export function functionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  // Every handler shares this process's environment, so each gets every queue and setting, not only its own.
  const queues = Object.fromEntries(
    [...input.queues].flatMap(([name, queue]) => [
      [queueUrlVariable(name), queue.url],
      [queueArnVariable(name), queue.arn],
      [deadLetterUrlVariable(name), queue.deadLetterUrl],
    ]),
  );
  return {
    PLINTH_DEPLOYMENT: JSON.stringify(input.deployment),
    PLINTH_REGION: input.region,
    TABLE_NAME: input.names.table,
    DIRECTORY_TABLE_NAME: input.names.directoryTable,
    EVENT_BUS_NAME: input.names.eventBus,
    ...queues,
    CURSOR_SECRET: input.cursorSecret,
    WEBHOOK_SECRET_KEY: input.webhookSecretKey,
    SCHEDULE_GROUP_NAME: input.names.scheduleGroup,
    SCHEDULER_ROLE_ARN: localRoleArn(input.names.roles.scheduler),
    EVENT_DESTINATION_ROLE_ARN: localRoleArn(input.names.roles.eventDestinations),
    WEBHOOK_REFUSED_PORTS: ownPorts(input).join(','),
    MAIL_FROM: input.deployment.mailFrom,
    USER_POOL_ID: input.identity.userPoolId,
    USER_POOL_CLIENT_IDS: `${input.identity.clientIds.firstParty},${input.identity.clientIds.console}`,
    IDENTITY_JWKS_URL: input.identity.jwksUrl,
    PLINTH_LOCAL: 'true',
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    // The stand-ins accept any credentials; fixed dummies keep a developer's real ones out of every request.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: input.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: input.endpoints.sqs,
    AWS_ENDPOINT_URL_S3: input.endpoints.s3,
    AWS_ENDPOINT_URL_EVENTBRIDGE: input.endpoints.eventBridge,
    AWS_ENDPOINT_URL_SCHEDULER: input.endpoints.scheduler,
    AWS_ENDPOINT_URL_SESV2: input.endpoints.ses,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: input.endpoints.cognito,
  };
}

/**
 * Picks the region to serve: an explicit choice (option or PLINTH_LOCAL_REGION) must be one of the
 * configured regions, since residency checks compare a tenant's home region against it.
 */
export function chooseRegion(deployment: DeploymentConfig, requested: string | undefined): string {
  if (requested === undefined || requested === '') return deployment.regions[0]!.region;
  if (!deployment.regions.some((r) => r.region === requested)) {
    const known = deployment.regions.map((r) => r.region).join(', ');
    throw new Error(`region "${requested}" is not in infra/plinth.config.ts; use one of ${known}`);
  }
  return requested;
}
