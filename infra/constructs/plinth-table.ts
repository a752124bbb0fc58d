// The regional single table, built from the key design in libs/data/design.ts: on-demand,
// point-in-time recovery, deletion protection, TTL, a stream of new and old images for the
// outbox, and encryption under a customer-managed key.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { tableKeyProps } from './table-keys.ts';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableDesign } from '../../libs/data/design.ts';
import { tableActions, tableKeyActions, tableResourceArns, type TableAccess } from './table-access.ts';

export interface PlinthTableProps {
  /** Keys, indexes and TTL attribute of the table. */
  readonly design: TableDesign;
  /** @default - a new customer-managed key with automatic rotation */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class PlinthTable extends Construct {
  readonly table: dynamodb.TableV2;
  readonly encryptionKey: kms.IKey;
  readonly design: TableDesign;

  constructor(scope: Construct, id: string, props: PlinthTableProps) {
    super(scope, id);
    const { design } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.design = design;
    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'Encrypts the Plinth table, its indexes, stream and backups',
        enableKeyRotation: true,
        removalPolicy,
      });

    this.table = new dynamodb.TableV2(this, 'Table', {
      ...tableKeyProps(design),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.encryptionKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy,
    });
  }

  /** Grants item access on the table and its declared indexes, with the key actions that access needs. */
  grantData(grantee: iam.IGrantable, access: TableAccess): iam.Grant {
    this.encryptionKey.grant(grantee, ...tableKeyActions(access));
    return iam.Grant.addToPrincipal({
      grantee,
      actions: tableActions(access),
      resourceArns: tableResourceArns(this.table.tableArn, this.design),
    });
  }
}
