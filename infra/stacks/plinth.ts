// The whole of Plinth in one CDK app: the global stack in the primary region and, per configured
// region, a data stack and an API stack. Used by infra/app.ts and by the infra tests alike.
import { Aspects, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import { ResidencyAspect } from '../aspects/residency.ts';
import type { HandlerCode } from '../constructs/service-function.ts';
import type { Topology } from '../topology.ts';
import { ApiStack } from './api-stack.ts';
import { DataStack } from './data-stack.ts';
import { GlobalStack } from './global-stack.ts';
import { directoryTableName, stackNames } from './names.ts';

/** Feature flags Plinth relies on, passed as app context (cdk.json and the CLI still win). */
export const plinthFeatureFlags = {
  // S3 access logs delivered under a bucket policy, since ACLs are disabled on every Plinth bucket.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Exports and imports between a region's data and API stacks: CloudFormation itself refuses to
  // remove a data stack output that the API stack still uses.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

export interface PlinthProps {
  readonly deployment: DeploymentConfig;
  readonly topology: Topology;
  readonly code: HandlerCode;
  /** @default - account-agnostic stacks, resolved by the CLI's credentials at deploy time */
  readonly account?: string;
}

export interface RegionalStacks {
  readonly data: DataStack;
  readonly api: ApiStack;
}

export interface PlinthStacks {
  readonly global: GlobalStack;
  /** By region. */
  readonly regions: ReadonlyMap<string, RegionalStacks>;
}

export function addPlinthStacks(app: App, props: PlinthProps): PlinthStacks {
  const { deployment, topology } = props;
  const env = (region: string): { account?: string; region: string } =>
    props.account ? { account: props.account, region } : { region };

  const global = new GlobalStack(app, stackNames.global(deployment), {
    env: env(deployment.primaryRegion),
    description: 'Plinth global: the tenant directory, replicated to every region',
    deployment,
  });

  const regions = new Map<string, RegionalStacks>();
  for (const { region } of deployment.regions) {
    const data = new DataStack(app, stackNames.data(deployment, region), {
      env: env(region),
      description: `Plinth data in ${region}: table, event bus, queues, buckets, secrets, user pool`,
      deployment,
      topology,
      code: props.code,
      // A name, not a reference: the directory lives in another region's stack.
      directoryTableName: directoryTableName(deployment),
    });
    const api = new ApiStack(app, stackNames.api(deployment, region), {
      env: env(region),
      description: `Plinth API in ${region}: REST API, functions, consumers, dashboard`,
      deployment,
      topology,
      data,
      code: props.code,
    });
    // The functions (the user pool's triggers too) use the directory's replica in their region,
    // which the global stack creates.
    data.addStackDependency(global);
    api.addStackDependency(global);
    regions.set(region, { data, api });
  }
  return { global, regions };
}

/** Synth fails on any residency breach and on any unacknowledged AwsSolutions finding. */
export function addPlinthChecks(app: App, deployment: DeploymentConfig): void {
  Aspects.of(app).add(new ResidencyAspect({ regions: deployment.regions }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
