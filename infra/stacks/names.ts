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
