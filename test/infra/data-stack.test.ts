// The regional data stacks: what each stateful resource must be, in both residency zones.
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { deploymentKeyNames, deploymentKeys } from '../../libs/config/keys.ts';
import {
  configuredRegions,
  regionalTemplates,
  logicalIdOf,
  regionalStacks,
  resourcesOfType,
} from './support.ts';

const regional = regionalTemplates('data');
const template = (region: string): Template => regional.template(region);

beforeAll(() => configuredRegions.forEach(template));

describe.each(configuredRegions)('data stack in %s', (region) => {
  test('is named after the deployment and region, in that region, and termination-protected', () => {
    const stack = regionalStacks(regional.plinth(), region).data;
    expect(stack.stackName).toBe(`plinth-data-${region}`);
    expect(stack.region).toBe(region);
    expect(stack.terminationProtection).toBe(true);
  });

  test('exports the table name, which `npm run platform-key` reads to mint the first admin key', () => {
    const outputs = template(region).findOutputs('TableName');
    expect(Object.keys(outputs)).toHaveLength(1);
  });

  test('the table is on-demand, recoverable, protected, expiring, streamed and under its own KMS key', () => {
    const t = template(region);
    const keyId = logicalIdOf(t, 'AWS::KMS::Key', 'TableKey');
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
          }),
        ],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        // The regional table never leaves its region: one replica, here.
        Replicas: [
          Match.objectLike({
            Region: region,
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          }),
        ],
      }),
    });
  });

  test('the event bus has a stable name and an archive of every Plinth event for a year', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'plinth-events' });
    const busId = logicalIdOf(t, 'AWS::Events::EventBus', 'EventsBus');
    t.hasResource('AWS::Events::Archive', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
        EventPattern: { source: ['plinth'] },
        RetentionDays: 365,
      }),
    });
  });

  test('the jobs queue redrives to a DLQ after the declared receives, and the DLQ alarms to the alarm topic', () => {
    const t = template(region);
    const dlqId = logicalIdOf(t, 'AWS::SQS::Queue', 'QueuejobsDeadLetters');
    const jobs = regional.plinth().topology.queues.find((q) => q.declaration.name === 'jobs')?.declaration;
    if (!jobs) throw new Error('no jobs queue in the topology');
    const topicId = logicalIdOf(t, 'AWS::SNS::Topic', 'AlarmsTopic');
    t.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VisibilityTimeout: jobs.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: jobs.maxReceiveCount,
        },
      }),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('every queue refuses plain HTTP and is encrypted', () => {
    const t = template(region);
    const queues = Object.keys(resourcesOfType(t, 'AWS::SQS::Queue'));
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const queue of queues) {
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    for (const props of Object.values(resourcesOfType(t, 'AWS::SQS::Queue'))) {
      expect(props.Properties?.SqsManagedSseEnabled).toBe(true);
    }
  });

  test('the outbox stream consumer has a failure queue that alarms', () => {
    const t = template(region);
    const failuresId = logicalIdOf(t, 'AWS::SQS::Queue', 'StreamFailuresoutboxpublish');
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failuresId, 'QueueName'] } }],
    });
  });

  test('the alarm topic is encrypted, refuses plain HTTP, and its key lets CloudWatch publish', () => {
    const t = template(region);
    const keyId = logicalIdOf(t, 'AWS::KMS::Key', 'AlarmsKey');
    const topicId = logicalIdOf(t, 'AWS::SNS::Topic', 'AlarmsTopic');
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('documents are WORM under GOVERNANCE retention for the configured days', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: {
          DefaultRetention: {
            Mode: 'GOVERNANCE',
            Days: regional.plinth().deployment.retention.documentsDays,
          },
        },
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'Documents/' }),
    });
  });

  test('the backups vault is WORM under COMPLIANCE retention for the configured days', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: {
          DefaultRetention: { Mode: 'COMPLIANCE', Days: regional.plinth().deployment.retention.backupsDays },
        },
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'Backups/' }),
    });
  });

  test('exports expire after seven days', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'Exports/' }),
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Id: 'expire-exports', Status: 'Enabled', ExpirationInDays: 7 })],
      },
    });
  });

  test('every data bucket blocks public access, refuses plain HTTP, uses SSE-KMS and logs access', () => {
    const t = template(region);
    const logsId = logicalIdOf(t, 'AWS::S3::Bucket', 'AccessLogsBucket');
    const buckets = resourcesOfType(t, 'AWS::S3::Bucket');
    const dataBuckets = Object.entries(buckets).filter(([id]) => id !== logsId);
    expect(dataBuckets).toHaveLength(3);
    for (const [id, bucket] of dataBuckets) {
      expect(bucket.DeletionPolicy, id).toBe('Retain');
      expect(bucket.Properties, id).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId } },
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('the access log bucket takes S3 log deliveries through its policy, as ACLs are disabled', () => {
    const t = template(region);
    const logsId = logicalIdOf(t, 'AWS::S3::Bucket', 'AccessLogsBucket');
    const logs = resourcesOfType(t, 'AWS::S3::Bucket')[logsId];
    expect(logs?.Properties).toMatchObject({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(logs?.Properties?.AccessControl).toBeUndefined();
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
          }),
        ]),
      },
    });
  });

  test('each deployment key is a secret of its own, a generated 64-character key kept on delete', () => {
    const t = template(region);
    for (const name of deploymentKeyNames) {
      const id = logicalIdOf(t, 'AWS::SecretsManager::Secret', deploymentKeys[name].constructId);
      expect(resourcesOfType(t, 'AWS::SecretsManager::Secret')[id], name).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
        },
      });
    }
    expect(Object.keys(resourcesOfType(t, 'AWS::SecretsManager::Secret'))).toHaveLength(
      deploymentKeyNames.length,
    );
  });

  test('the user pool signs in by email, offers TOTP, protects against threats and has an immutable tenant_id', () => {
    template(region).hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        UsernameAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'tenant_id', AttributeDataType: 'String', Mutable: false }),
        ]),
      }),
    });
  });
});
