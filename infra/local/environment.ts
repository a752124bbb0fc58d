// What the handlers see on one machine: the same variables the CDK stacks give them on AWS
// (libs/config/runtime.ts), with local resource names, plus the SDK's standard endpoint variables
// that point every AWS client at the local stand-ins.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import { directoryTableName, eventBusName } from '../stacks/names.ts';

/** The account id AWS's own emulators and the local ARNs use. */
export const localAccountId = '000000000000';

export interface LocalNames {
  table: string;
  directoryTable: string;
  eventBus: string;
  queue(name: string): string;
  deadLetterQueue(name: string): string;
  buckets: { documents: string; backups: string; exports: string };
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
  };
}

/** `jobs` → `JOBS_QUEUE_URL`, as the ServiceFunction construct names them. */
export function queueUrlVariable(queueName: string): string {
  return `${queueName.toUpperCase().replace(/-/g, '_')}_QUEUE_URL`;
}

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  s3: string;
  eventBridge: string;
}

export interface FunctionEnvironmentInput {
  deployment: DeploymentConfig;
  region: string;
  names: LocalNames;
  /** Queue URLs by the queue's declared name. */
  queueUrls: ReadonlyMap<string, string>;
  cursorSecret: string;
  endpoints: LocalEndpoints;
}

export function functionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  const queues = Object.fromEntries([...input.queueUrls].map(([name, url]) => [queueUrlVariable(name), url]));
  return {
    PLINTH_DEPLOYMENT: JSON.stringify(input.deployment),
    PLINTH_REGION: input.region,
    TABLE_NAME: input.names.table,
    DIRECTORY_TABLE_NAME: input.names.directoryTable,
    EVENT_BUS_NAME: input.names.eventBus,
    ...queues,
    CURSOR_SECRET: input.cursorSecret,
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
