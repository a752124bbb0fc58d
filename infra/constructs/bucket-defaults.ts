// What every Plinth data bucket has in common: no public access, TLS 1.2+ only, SSE-KMS with an
// S3 bucket key, owner-enforced objects and server access logs in the region's logs bucket.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface DataBucketOptions {
  /** Bucket that receives the server access logs. */
  readonly accessLogs: s3.IBucket;
  /** @default - a new customer-managed key with automatic rotation */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export function dataBucketProps(
  scope: Construct,
  id: string,
  options: DataBucketOptions,
  purpose: string,
): s3.BucketProps {
  const removalPolicy = options.removalPolicy ?? RemovalPolicy.RETAIN;
  const encryptionKey =
    options.encryptionKey ??
    new kms.Key(scope, 'Key', {
      description: `Encrypts the Plinth ${purpose}`,
      enableKeyRotation: true,
      removalPolicy,
    });
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: options.accessLogs,
    serverAccessLogsPrefix: `${id}/`,
    removalPolicy,
  };
}
