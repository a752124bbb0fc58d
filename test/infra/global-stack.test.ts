// The global stack: the tenant directory replicated to every configured region, and marked as
// the one store allowed to cross residency zones.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, test } from 'vitest';
import { buildPlinth, configuredRegions, type PlinthTestApp } from './support.ts';

let plinth: PlinthTestApp;
let template: Template;

beforeAll(() => {
  plinth = buildPlinth();
  template = Template.fromStack(plinth.stacks.global);
});

interface Replica {
  Region: string;
  DeletionProtectionEnabled?: boolean;
  PointInTimeRecoverySpecification?: unknown;
  Tags?: Array<{ Key: string; Value: string }>;
}

function replicas(): Replica[] {
  const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0] as {
    Properties: { Replicas: Replica[] };
  };
  return table.Properties.Replicas;
}

test('lives in the primary region, is named after the deployment and is termination-protected', () => {
  const { global } = plinth.stacks;
  expect(global.stackName).toBe('plinth-global');
  expect(global.region).toBe(plinth.deployment.primaryRegion);
  expect(global.terminationProtection).toBe(true);
});

test('the tenant directory is a global table with a protected, recoverable replica in every configured region', () => {
  template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({
      TableName: 'plinth-tenant-directory',
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    }),
  });
  expect(
    replicas()
      .map((r) => r.Region)
      .sort(),
  ).toEqual([...configuredRegions].sort());
  for (const replica of replicas()) {
    expect(replica, replica.Region).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  }
});

test('every replica carries the residency marker that lets it cross zones', () => {
  for (const replica of replicas()) {
    expect(replica.Tags).toContainEqual({ Key: 'plinth:residency', Value: 'global-directory' });
  }
});
