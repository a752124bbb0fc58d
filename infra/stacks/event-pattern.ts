// Manifests write EventBridge patterns in AWS's own JSON (`detail-type`), as the local runtime
// matches them; the CDK's EventPattern spells that key `detailType` and passes the rest through.
import type * as events from 'aws-cdk-lib/aws-events';
import type { EventPattern } from '../../libs/manifest/types.ts';

export function toEventPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) } as events.EventPattern;
}
