// The environment a function is given, derived from its context's access declaration: the CDK stacks
// fill it with CloudFormation references, the local runtime with local names, so a variable a
// function needs but does not declare is missing in both places alike.
import type { DeploymentConfig } from '../libs/config/deployment.ts';
import { deploymentKeys, type DeploymentKey } from '../libs/config/keys.ts';
import type { AccessDeclaration } from '../libs/manifest/types.ts';
import { deadLetterUrlVariable, queueArnVariable, queueUrlVariable } from './stacks/names.ts';

/** A secret a function reads: by its Secrets Manager ARN on AWS, by value on one machine. */
export type SecretReference = { arn: string } | { value: string };

/** Where the resources that an access declaration may name are, in one place (a stack or one machine). */
export interface DeclaredResources {
  queue(name: string): { url: string; arn: string; deadLetterUrl: string };
  /** A deployment key (libs/config/keys.ts). */
  key(name: DeploymentKey): SecretReference;
  scheduler(): { groupName: string; roleArn: string };
  mailFrom(): string;
  /** The user pool; `jwksUrl` only on one machine, where the issuer is not Cognito's. */
  userPool(): { id: string; clientIds: readonly string[]; jwksUrl?: string };
  /** The role EventBridge forwards with, and the queue where forwards that kept failing land. */
  eventDestinations(): { roleArn: string; deadLetterArn: string };
}

function secretVariable(name: string, reference: SecretReference): Record<string, string> {
  return 'arn' in reference ? { [`${name}_ARN`]: reference.arn } : { [name]: reference.value };
}

/** The variables that name what `access` grants; nothing is named that the declaration does not ask for. */
export function declaredVariables(
  access: AccessDeclaration,
  resources: DeclaredResources,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const q of access.queues ?? []) {
    const queue = resources.queue(q.name);
    environment[queueUrlVariable(q.name)] = queue.url;
    environment[queueArnVariable(q.name)] = queue.arn;
    // A consumer parks what it gives up on in its queue's DLQ.
    if (q.access === 'consume') environment[deadLetterUrlVariable(q.name)] = queue.deadLetterUrl;
  }
  for (const name of access.keys ?? []) {
    Object.assign(environment, secretVariable(deploymentKeys[name].variable, resources.key(name)));
  }
  if (access.scheduler) {
    const scheduler = resources.scheduler();
    environment.SCHEDULE_GROUP_NAME = scheduler.groupName;
    environment.SCHEDULER_ROLE_ARN = scheduler.roleArn;
  }
  if (access.mail) environment.MAIL_FROM = resources.mailFrom();
  if (access.userPool) {
    const pool = resources.userPool();
    environment.USER_POOL_ID = pool.id;
    environment.USER_POOL_CLIENT_IDS = pool.clientIds.join(',');
    if (pool.jwksUrl !== undefined) environment.IDENTITY_JWKS_URL = pool.jwksUrl;
  }
  if (access.eventDestinations) {
    const destinations = resources.eventDestinations();
    environment.EVENT_DESTINATION_ROLE_ARN = destinations.roleArn;
    environment.EVENT_DESTINATION_DLQ_ARN = destinations.deadLetterArn;
  }
  return environment;
}

export interface BaseEnvironmentInput {
  deployment: DeploymentConfig;
  region: string;
  context: string;
  tableName: string;
  directoryTableName: string;
  eventBusName: string;
}

/** What every Plinth function starts with, whatever it declares (libs/config/runtime.ts parses it). */
export function baseVariables(input: BaseEnvironmentInput): Record<string, string> {
  return {
    PLINTH_DEPLOYMENT: JSON.stringify(input.deployment),
    PLINTH_REGION: input.region,
    TABLE_NAME: input.tableName,
    DIRECTORY_TABLE_NAME: input.directoryTableName,
    EVENT_BUS_NAME: input.eventBusName,
    POWERTOOLS_SERVICE_NAME: input.context,
    POWERTOOLS_METRICS_NAMESPACE: 'Plinth',
  };
}
