// Physical names that must be known across regions (where CloudFormation references cannot
// reach) or by people (stack names, the bus integrations write rules against). All derive from
// the deployment's name, so two Plinth deployments can share an account.
import type { DeploymentConfig } from '../../libs/config/deployment.ts';

type Named = Pick<DeploymentConfig, 'name'>;

export const stackNames = {
  global: (config: Named): string => `${config.name}-global`,
  data: (config: Named, region: string): string => `${config.name}-data-${region}`,
  api: (config: Named, region: string): string => `${config.name}-api-${region}`,
};

/** The same in every region: each regional stack addresses its own replica by this name. */
export function directoryTableName(config: Named): string {
  return `${config.name}-tenant-directory`;
}

/** One bus per region, with the same name in each. */
export function eventBusName(config: Named): string {
  return `${config.name}-events`;
}

/** EventBridge Scheduler's group for one-time schedules (long webhook retries); one per region. */
export function scheduleGroupName(config: Named): string {
  return `${config.name}-delays`;
}

/** The schema registry integrations generate code bindings from; one per region. */
export function schemaRegistryName(config: Named): string {
  return `${config.name}-events`;
}

/** Rules that forward a tenant's events to its own event bus start with this; IAM is scoped to it. */
export function eventDestinationRulePrefix(config: Named): string {
  return `${config.name}-dest-`;
}

/**
 * The Cognito hosted domain prefix. Prefixes are unique per region across every AWS account, so
 * the account id keeps two deployments that picked the same name from colliding.
 */
export function userPoolDomainPrefix(config: Named, region: string, account: string): string {
  const reserved = /aws|amazon|cognito/.exec(config.name);
  if (reserved) {
    throw new Error(
      `deployment name "${config.name}" contains "${reserved[0]}", which Cognito refuses in a hosted domain; choose another name`,
    );
  }
  return `${config.name}-${region}-${account}`;
}

const queueVariablePrefix = (queueName: string) => queueName.toUpperCase().replace(/-/g, '_');

/** `jobs` → `JOBS_QUEUE_URL`: the variable a function reads a queue's URL from, on AWS and locally. */
export function queueUrlVariable(queueName: string): string {
  return `${queueVariablePrefix(queueName)}_QUEUE_URL`;
}

/** `webhook-deliveries` → `WEBHOOK_DELIVERIES_QUEUE_ARN`: a Scheduler target names its queue by ARN. */
export function queueArnVariable(queueName: string): string {
  return `${queueVariablePrefix(queueName)}_QUEUE_ARN`;
}

/** `webhook-deliveries` → `WEBHOOK_DELIVERIES_DLQ_URL`: a consumer parks a message it gave up on there. */
export function deadLetterUrlVariable(queueName: string): string {
  return `${queueVariablePrefix(queueName)}_DLQ_URL`;
}
