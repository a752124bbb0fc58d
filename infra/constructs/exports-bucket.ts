// Where export jobs put their files for download: the same protection as the data buckets, and
// objects expire after a short time because an export is a copy, not a record.
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { dataBucketProps, type DataBucketOptions } from './bucket-defaults.ts';

export interface ExportsBucketProps extends DataBucketOptions {
  /** @default Duration.days(7) */
  readonly expiration?: Duration;
}

export class ExportsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ExportsBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...dataBucketProps(this, id, props, 'exports bucket'),
      lifecycleRules: [
        {
          id: 'expire-exports',
          expiration: props.expiration ?? Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
