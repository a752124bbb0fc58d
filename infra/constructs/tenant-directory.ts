// The global tenant directory: tenant id, slug, home region and status, nothing personal, in a
// DynamoDB global table with a replica in every configured region. It is the one store allowed to
// cross residency zones, and says so with an explicit residency marker.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { tableKeyProps } from './table-keys.ts';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { directoryTable, type TableDesign } from '../../libs/data/design.ts';
import { markGlobalDirectory } from '../aspects/residency.ts';
import { tableActions, tableResourceArns, type TableAccess } from './table-access.ts';

export interface TenantDirectoryProps {
  /** Physical name, the same in every region, so regional stacks can address their replica without a cross-region reference. */
  readonly tableName: string;
  /** Regions besides this stack's own that hold a replica. */
  readonly replicaRegions: readonly string[];
  /** @default directoryTable from libs/data/design.ts */
  readonly design?: TableDesign;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class TenantDirectory extends Construct {
  /**
   * Grants access to the replica in the grantee's own region, addressed by name. The table is
   * encrypted with the AWS managed key, which needs no KMS grant of the caller.
   */
  static grantReplica(
    grantee: iam.IGrantable & IConstruct,
    tableName: string,
    access: TableAccess,
    design: TableDesign = directoryTable,
  ): iam.Grant {
    const tableArn = Stack.of(grantee).formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: tableName,
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: tableActions(access),
      resourceArns: tableResourceArns(tableArn, design),
    });
  }

  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: TenantDirectoryProps) {
    super(scope, id);
    const design = props.design ?? directoryTable;
    const home = Stack.of(this).region;

    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName,
      ...tableKeyProps(design),
      billing: dynamodb.Billing.onDemand(),
      // A customer-managed key would need a key ARN per replica region, i.e. cross-region references;
      // the directory holds no personal data, so the AWS managed key is enough.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      replicas: props.replicaRegions.filter((region) => region !== home).map((region) => ({ region })),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    markGlobalDirectory(this);
  }
}
