// A write-once-read-many bucket: S3 Object Lock with versioning and a default retention, so a
// stored version cannot be overwritten or deleted before its retain-until date.
import type { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dataBucketProps, type DataBucketOptions } from './bucket-defaults.ts';

export interface WormBucketProps extends DataBucketOptions {
  /**
   * GOVERNANCE: principals with s3:BypassGovernanceRetention may shorten a retention or delete.
   * COMPLIANCE: nobody, the account root included, can until the retention ends.
   */
  readonly mode: s3.ObjectLockMode;
  /** Default retention of every new object version. */
  readonly retention: Duration;
  /** What the bucket holds, for its key's description. */
  readonly purpose: string;
}

export class WormBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: WormBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...dataBucketProps(this, id, props, props.purpose),
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.mode === s3.ObjectLockMode.COMPLIANCE
          ? s3.ObjectLockRetention.compliance(props.retention)
          : s3.ObjectLockRetention.governance(props.retention),
    });
  }
}
