// The one stack in the primary region that serves every region: the tenant directory, a global
// table with a replica in each configured region.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import { TenantDirectory } from '../constructs/tenant-directory.ts';
import { directoryTableName } from './names.ts';

export interface GlobalStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
}

export class GlobalStack extends Stack {
  readonly directory: TenantDirectory;

  constructor(scope: Construct, id: string, props: GlobalStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    this.directory = new TenantDirectory(this, 'TenantDirectory', {
      tableName: directoryTableName(props.deployment),
      replicaRegions: props.deployment.regions.map((r) => r.region),
    });
  }
}
