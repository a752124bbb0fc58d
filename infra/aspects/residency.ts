// Fails synth when a stack would copy data out of its region's residency zone (EU stays in EU):
// DynamoDB replicas and witnesses, S3 replication, AWS Backup copy actions and event rule targets in
// another region. The one exception is a construct explicitly marked as the global tenant directory.
import { Annotations, Reference, Stack, Tags, Token, Tokenization, type IAspect } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

export const residencyTagKey = 'plinth:residency';
export const globalDirectoryMarker = 'global-directory';

/**
 * Marks a construct as the global tenant directory: its replicas may span every configured
 * region. Recorded as construct metadata (read by the aspect) and as a tag (visible in AWS).
 */
export function markGlobalDirectory(scope: IConstruct): void {
  scope.node.addMetadata(residencyTagKey, globalDirectoryMarker);
  Tags.of(scope).add(residencyTagKey, globalDirectoryMarker);
}

function isGlobalDirectory(node: IConstruct): boolean {
  return node.node.scopes.some((s) =>
    s.node.metadata.some((m) => m.type === residencyTagKey && m.data === globalDirectoryMarker),
  );
}

export interface ResidencyAspectProps {
  /** The configured regions and their zone; a region not listed belongs to no zone. */
  readonly regions: ReadonlyArray<{ readonly region: string; readonly zone: string }>;
}

interface Destination {
  /** What copies the data, e.g. `DynamoDB replica`. */
  readonly what: string;
  /** Where it lands; undefined when it cannot be told at synth time. */
  readonly region: string | undefined;
}

type Bag = Record<string, unknown>;

export class ResidencyAspect implements IAspect {
  private readonly zones: ReadonlyMap<string, string>;

  constructor(props: ResidencyAspectProps) {
    this.zones = new Map(props.regions.map((r) => [r.region, r.zone]));
  }

  visit(node: IConstruct): void {
    const destinations = destinationsOf(node);
    if (destinations.length === 0 || isGlobalDirectory(node)) return;

    const stack = Stack.of(node);
    if (Token.isUnresolved(stack.region)) {
      Annotations.of(node).addError(
        `residency: stack ${stack.stackName} has no explicit region, so where its data is copied cannot be checked`,
      );
      return;
    }
    const home = stack.region;
    const homeZone = this.zones.get(home);
    for (const { what, region } of destinations) {
      if (region === home) continue;
      if (region === undefined) {
        Annotations.of(node).addError(
          `residency: cannot tell which region the ${what} of ${node.node.path} copies to; name a destination in a region of zone ${homeZone ?? 'none'}`,
        );
        continue;
      }
      const zone = this.zones.get(region);
      if (homeZone === undefined || zone !== homeZone) {
        Annotations.of(node).addError(
          `residency: the ${what} of ${node.node.path} copies data from ${home} (zone ${homeZone ?? 'none'}) to ${region} (zone ${zone ?? 'none'}); data must stay in its residency zone`,
        );
      }
    }
  }
}

function destinationsOf(node: IConstruct): Destination[] {
  if (node instanceof dynamodb.CfnGlobalTable) {
    const stack = Stack.of(node);
    return [
      ...items(node.replicas, stack).map((r) => ({
        what: 'DynamoDB replica',
        region: literal(field(r, 'region', stack)),
      })),
      ...items(node.globalTableWitnesses, stack).map((w) => ({
        what: 'DynamoDB witness',
        region: literal(field(w, 'region', stack)),
      })),
    ];
  }
  if (node instanceof dynamodb.Table) {
    return (node.regions ?? []).map((region) => ({ what: 'DynamoDB replica', region }));
  }
  if (node instanceof s3.CfnBucket) {
    const stack = Stack.of(node);
    return items(field(node.replicationConfiguration, 'rules', stack), stack).map((rule) => ({
      what: 'S3 replication rule',
      region: regionOf(field(field(rule, 'destination', stack), 'bucket', stack), stack),
    }));
  }
  if (node instanceof backup.CfnBackupPlan) {
    const stack = Stack.of(node);
    return items(field(node.backupPlan, 'backupPlanRule', stack), stack).flatMap((rule) =>
      items(field(rule, 'copyActions', stack), stack).map((copy) => ({
        what: 'AWS Backup copy action',
        region: regionOf(field(copy, 'destinationBackupVaultArn', stack), stack),
      })),
    );
  }
  if (node instanceof events.CfnRule) {
    const stack = Stack.of(node);
    return items(node.targets, stack).map((target) => ({
      what: 'event rule target',
      region: regionOf(field(target, 'arn', stack), stack),
    }));
  }
  return [];
}

function unwrap(value: unknown, stack: Stack): unknown {
  return Token.isUnresolved(value) && typeof value !== 'string' ? stack.resolve(value) : value;
}

function items(value: unknown, stack: Stack): unknown[] {
  const v = unwrap(value, stack);
  return Array.isArray(v) ? v : [];
}

function field(value: unknown, key: string, stack: Stack): unknown {
  const v = unwrap(value, stack);
  return typeof v === 'object' && v !== null ? (v as Bag)[key] : undefined;
}

function literal(value: unknown): string | undefined {
  return typeof value === 'string' && !Token.isUnresolved(value) ? value : undefined;
}

/**
 * The region of a destination ARN or reference: a reference to a construct is in that construct's
 * stack's region; a literal ARN names its region (S3 ARNs name none, so the bucket is looked up
 * among the app's buckets by name); an intrinsic of this stack's template is in this region.
 */
function regionOf(value: unknown, stack: Stack): string | undefined {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    const target = Tokenization.reverseString(value)
      .tokens.filter((t): t is Reference => t instanceof Reference)
      .map((r) => r.target)
      .find((t) => !Stack.isStack(t));
    if (target) return Stack.of(target).region;
  }
  return regionOfResolved(stack.resolve(value), stack);
}

function regionOfResolved(value: unknown, stack: Stack): string | undefined {
  if (typeof value === 'string') return regionOfArn(value, stack);
  if (typeof value !== 'object' || value === null) return undefined;
  const intrinsic = value as Bag;
  // References to this template's resources, and imports (exports never leave their region).
  if ('Fn::GetAtt' in intrinsic || 'Fn::ImportValue' in intrinsic || 'Ref' in intrinsic) return stack.region;
  if ('Fn::Join' in intrinsic && Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    const text = parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const ref = (part as Bag | null)?.Ref;
        if (ref === 'AWS::Region') return stack.region;
        if (ref === 'AWS::Partition') return 'aws';
        return 'unresolved';
      })
      .join(separator);
    return regionOfArn(text, stack);
  }
  return undefined;
}

function regionOfArn(arn: string, stack: Stack): string | undefined {
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return undefined;
  const [, , service, region, , resource] = parts;
  if (service === 's3' && region === '' && resource) return bucketRegion(resource.split('/')[0] ?? '', stack);
  return region && region !== 'unresolved' ? region : undefined;
}

function bucketRegion(bucketName: string, stack: Stack): string | undefined {
  const bucket = stack.node.root.node
    .findAll()
    .find((c): c is s3.CfnBucket => c instanceof s3.CfnBucket && c.bucketName === bucketName);
  return bucket ? Stack.of(bucket).region : undefined;
}
