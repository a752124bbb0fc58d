// Names cdk-nag's finding for one wildcard resource in an IAM policy exactly as cdk-nag renders
// it, so a construct acknowledges that one finding with its reason and never the whole rule.
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

type Intrinsic = { Ref?: unknown; 'Fn::GetAtt'?: unknown; 'Fn::Join'?: unknown };

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = (value ?? {}) as Intrinsic;
  if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
  if (Array.isArray(intrinsic['Fn::GetAtt'])) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  return JSON.stringify(value);
}

/** `AwsSolutions-IAM5[Resource::<the ARN as cdk-nag shows it>]`. */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(scope).resolve(arn))}]`;
}

/** Acknowledges the wildcard-resource finding for `arn` on `scope` and everything below it. */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: wildcardResourceFinding(scope, arn), reason });
}
