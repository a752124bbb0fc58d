// The residency aspect: a stack of an EU region that would copy data outside the EU fails synth;
// the real app, whose only cross-zone store is the marked tenant directory, passes.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Aspects } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { markGlobalDirectory, ResidencyAspect } from '../../infra/aspects/residency.ts';
import { buildPlinth } from './support.ts';

const regions = [
  { region: 'us-east-1', zone: 'US' },
  { region: 'eu-central-1', zone: 'EU' },
  { region: 'eu-west-1', zone: 'EU' },
];

function appWithResidency(): App {
  const app = new App();
  Aspects.of(app).add(new ResidencyAspect({ regions }));
  return app;
}

function residencyErrors(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('^residency'))
    .map((m) => (typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data)));
}

function globalTable(scope: Stack, replicaRegions: string[]): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    replicas: replicaRegions.map((region) => ({ region })),
  });
}

describe('a stack in an EU region', () => {
  test('fails when a DynamoDB replica would live in us-east-1', () => {
    const app = appWithResidency();
    const stack = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    globalTable(stack, ['us-east-1']);
    app.synth();
    const errors = residencyErrors(stack);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('DynamoDB replica');
    expect(errors[0]).toContain('to us-east-1 (zone US)');
  });

  test('may replicate within the EU', () => {
    const app = appWithResidency();
    const stack = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    globalTable(stack, ['eu-west-1']);
    app.synth();
    expect(residencyErrors(stack)).toEqual([]);
  });

  test('fails when a legacy Table replicates to us-east-1', () => {
    const app = appWithResidency();
    const stack = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    new dynamodb.Table(stack, 'Legacy', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      replicationRegions: ['us-east-1'],
    });
    app.synth();
    expect(residencyErrors(stack).join('\n')).toContain('to us-east-1');
  });

  test('fails when an S3 replication rule targets a bucket in us-east-1', () => {
    const app = appWithResidency();
    const us = new Stack(app, 'Us', { env: { region: 'us-east-1' } });
    const destination = new s3.Bucket(us, 'Copy', { bucketName: 'plinth-test-us-copy', versioned: true });
    const eu = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    new s3.Bucket(eu, 'Documents', {
      versioned: true,
      replicationRules: [{ destination, priority: 1 }],
    });
    app.synth();
    const errors = residencyErrors(eu);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('S3 replication rule');
    expect(errors[0]).toContain('to us-east-1');
  });

  test('fails when an AWS Backup plan copies to a vault in us-east-1', () => {
    const app = appWithResidency();
    const stack = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    const vault = new backup.BackupVault(stack, 'Vault');
    const copyTarget = backup.BackupVault.fromBackupVaultArn(
      stack,
      'UsVault',
      'arn:aws:backup:us-east-1:111111111111:backup-vault:copies',
    );
    new backup.BackupPlan(stack, 'Plan', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          copyActions: [{ destinationBackupVault: copyTarget, deleteAfter: Duration.days(35) }],
        }),
      ],
    });
    app.synth();
    expect(residencyErrors(stack).join('\n')).toContain('AWS Backup copy action');
  });

  test('fails when an event rule forwards to a bus in us-east-1', () => {
    const app = appWithResidency();
    const stack = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    const usBus = events.EventBus.fromEventBusArn(
      stack,
      'UsBus',
      'arn:aws:events:us-east-1:111111111111:event-bus/plinth-events',
    );
    new events.Rule(stack, 'Forward', {
      eventPattern: { source: ['plinth'] },
      targets: [new targets.EventBus(usBus)],
    });
    app.synth();
    expect(residencyErrors(stack).join('\n')).toContain('event rule target');
  });

  test('fails when the destination of a copy cannot be told', () => {
    const app = appWithResidency();
    const stack = new Stack(app, 'Eu', { env: { region: 'eu-central-1' } });
    new s3.Bucket(stack, 'Documents', {
      versioned: true,
      replicationRules: [
        { destination: s3.Bucket.fromBucketName(stack, 'Unknown', 'somebody-elses-bucket'), priority: 1 },
      ],
    });
    app.synth();
    expect(residencyErrors(stack).join('\n')).toContain('cannot tell which region');
  });
});

describe('a stack in a US region', () => {
  test('fails when it replicates into the EU, unless the construct is the marked global directory', () => {
    const app = appWithResidency();
    const plain = new Stack(app, 'Plain', { env: { region: 'us-east-1' } });
    globalTable(plain, ['eu-central-1']);
    const directory = new Stack(app, 'Directory', { env: { region: 'us-east-1' } });
    markGlobalDirectory(globalTable(directory, ['eu-central-1']));
    app.synth();
    expect(residencyErrors(plain).join('\n')).toContain('to eu-central-1 (zone EU)');
    expect(residencyErrors(directory)).toEqual([]);
  });
});

test('the Plinth app breaches no residency zone', () => {
  const { app, stacks } = buildPlinth();
  app.synth();
  const all = [stacks.global, ...[...stacks.regions.values()].flatMap((r) => [r.data, r.api])];
  for (const stack of all) expect(residencyErrors(stack), stack.stackName).toEqual([]);
});
