// What the handlers see on one machine: the same variables the CDK stacks give them on AWS
// (libs/config/runtime.ts), with local resource names, plus the SDK's standard endpoint variables
// that point every AWS client at the local stand-ins.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { DeploymentKey } from '../../libs/config/keys.ts';
import type { AccessDeclaration } from '../../libs/manifest/types.ts';
import { baseVariables, declaredVariables } from '../function-environment.ts';
import { directoryTableName, eventBusName, scheduleGroupName } from '../stacks/names.ts';

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
  /** The queue where forwards to tenants' buses that kept failing land (never, here: see event-bus-rules). */
  eventDestinationFailures: string;
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
    eventDestinationFailures: `${prefix}-event-destination-failures`,
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
  /** Every deployment key by value (libs/config/keys.ts), generated once per data dir. */
  keys: Readonly<Record<DeploymentKey, string>>;
  /** The local user pool that issues the tokens the authorizer verifies. */
  identity: { userPoolId: string; clientIds: { firstParty: string; console: string }; jwksUrl: string };
  endpoints: LocalEndpoints;
  /** The runtime's own environment, of which only Lambda's standard variables pass through. */
  processEnv?: NodeJS.ProcessEnv;
  /** The local API's port: webhooks may no more reach it than the stand-ins. */
  apiPort: number;
  /** The local DNS server (`127.0.0.1:<port>`) that answers domain verification lookups. */
  dnsServer: string;
}

/** Every port Plinth itself listens on here, so the SSRF guard keeps deliveries off them. */
function ownPorts(input: FunctionEnvironmentInput): number[] {
  const urls: Record<keyof LocalEndpoints, string> = input.endpoints;
  const ports = Object.values(urls).map((url) => Number(new URL(url).port));
  return [...new Set([input.apiPort, ...ports])].filter((port) => port > 0).sort((a, b) => a - b);
}

/** Whose environment it is: a context, or a standalone function such as the authorizer. */
export interface FunctionOwner {
  name: string;
  access: AccessDeclaration;
}

/** Variables of the runtime's own process that a function may see, as Lambda gives its own (PATH, TZ, …). */
const passedThrough = /^(PATH|HOME|TZ|LANG|LC_[A-Z]+|NODE_OPTIONS|POWERTOOLS_LOG_LEVEL|AWS_SDK_JS_[A-Z_]+)$/;

/**
 * Exactly what `owner`'s function gets on AWS, from the same declaration the stacks read
 * (infra/function-environment.ts), with local names and values, plus the SDK's endpoint variables
 * that point every client at the stand-ins. A variable the function needs but does not declare is
 * missing here as it would be on AWS.
 */
export function functionEnvironment(
  input: FunctionEnvironmentInput,
  owner: FunctionOwner,
): Record<string, string> {
  const lambdaStandard = Object.fromEntries(
    Object.entries(input.processEnv ?? {}).filter(
      (entry): entry is [string, string] => passedThrough.test(entry[0]) && entry[1] !== undefined,
    ),
  );
  const declared = declaredVariables(owner.access, {
    queue: (name) => {
      const queue = input.queues.get(name);
      if (!queue) throw new Error(`context ${owner.name}: no queue named "${name}"`);
      return queue;
    },
    key: (name) => ({ value: input.keys[name] }),
    scheduler: () => ({
      groupName: input.names.scheduleGroup,
      roleArn: localRoleArn(input.names.roles.scheduler),
    }),
    mailFrom: () => input.deployment.mailFrom,
    userPool: () => ({
      id: input.identity.userPoolId,
      clientIds: [input.identity.clientIds.firstParty, input.identity.clientIds.console],
      jwksUrl: input.identity.jwksUrl,
    }),
    eventDestinations: () => ({
      roleArn: localRoleArn(input.names.roles.eventDestinations),
      deadLetterArn: `arn:aws:sqs:${input.region}:${localAccountId}:${input.names.eventDestinationFailures}`,
    }),
  });
  return {
    ...lambdaStandard,
    ...baseVariables({
      deployment: input.deployment,
      region: input.region,
      context: owner.name,
      tableName: input.names.table,
      directoryTableName: input.names.directoryTable,
      eventBusName: input.names.eventBus,
    }),
    ...declared,
    // Only here: on AWS the guard's address checks are enough, while here every stand-in is on loopback.
    WEBHOOK_REFUSED_PORTS: ownPorts(input).join(','),
    // Only here: on AWS domain verification asks the VPC's resolver, here the local DNS server.
    DNS_SERVERS: input.dnsServer,
    PLINTH_LOCAL: 'true',
    // CloudWatch reads metrics from Lambda's log stream; here they would only fill the console.
    POWERTOOLS_METRICS_DISABLED: 'true',
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
