// The role EventBridge assumes to forward a tenant's events to an event bus in the tenant's own AWS
// account. It may put events only to buses in regions of this stack's residency zone, so a
// destination can never carry data out of the zone, whatever bus ARN a rule names.
import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { acknowledgeWildcardResource } from './wildcard-findings.ts';
import type { ResidencyZone } from '../../libs/config/deployment.ts';

/** Region patterns of each residency zone, as IAM ARN wildcards. */
export const zoneRegionPatterns: Record<ResidencyZone, string> = { EU: 'eu-*', US: 'us-*' };

export interface EventDestinationRoleProps {
  /** The residency zone of the stack's region. */
  readonly zone: ResidencyZone;
  /** The bus whose rules use the role. */
  readonly eventBusName: string;
  /** Rules that may use the role start with this, e.g. `plinth-dest-`. */
  readonly rulePrefix: string;
  /** Where the alarm of the forwards' dead-letter queue notifies. */
  readonly alarmAction: cloudwatch.IAlarmAction;
}

export class EventDestinationRole extends Construct {
  readonly role: iam.Role;
  /** ARN pattern of the buses the role may put events to. */
  readonly targetBusArns: string;
  /** ARN pattern of the rules that may use the role. */
  readonly ruleArns: string;
  /** Events a rule could not forward within its retry policy; each rule's target names it. */
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: EventDestinationRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.ruleArns = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: `${props.eventBusName}/${props.rulePrefix}*`,
    });
    this.targetBusArns = stack.formatArn({
      service: 'events',
      region: zoneRegionPatterns[props.zone],
      account: '*',
      resource: 'event-bus',
      resourceName: '*',
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.ruleArns },
        },
      }),
      description: `Lets EventBridge forward tenants' events to their own buses in zone ${props.zone}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.targetBusArns] }),
    );
    this.deadLetters = new DeadLetterQueue(this, 'Failures', {
      alarmAction: props.alarmAction,
      purpose: "tenant events EventBridge could not forward to the tenant's own bus within 24 hours",
    });
    // EventBridge sends what a destination rule gave up on; only those rules of this account may.
    this.deadLetters.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetters.queue.queueArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.ruleArns },
        },
      }),
    );
    acknowledgeWildcardResource(
      this.role,
      this.targetBusArns,
      "Tenants name their own account and bus at run time; the pattern pins the region to this stack's residency zone.",
    );
  }
}
