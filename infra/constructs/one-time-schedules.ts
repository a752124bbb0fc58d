// Where functions park work for later than SQS can delay it (15 minutes): an EventBridge Scheduler
// group for their one-time schedules, and the role Scheduler assumes to send each schedule's
// message to its queue. Functions create and delete the schedules; this grants them exactly that.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from './wildcard-findings.ts';

export interface OneTimeSchedulesProps {
  /** Stable, so functions are told it by name. */
  readonly scheduleGroupName: string;
  /** The queues schedules may deliver to; the role may send to these and nothing else. */
  readonly queues: readonly sqs.IQueue[];
  /** @default RemovalPolicy.RETAIN, as pending schedules are deliveries still to be made */
  readonly removalPolicy?: RemovalPolicy;
}

export class OneTimeSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  /** The group's name, as a literal: functions in other stacks are told it without a reference. */
  readonly scheduleGroupName: string;
  /** Passed as each schedule's target role. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OneTimeSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.scheduleGroupName = props.scheduleGroupName;
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.scheduleGroupName,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      // Only schedules of this group, in this account, may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
      description: `Lets EventBridge Scheduler send the messages of schedules in group ${props.scheduleGroupName}`,
    });
    if (props.queues.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: props.queues.map((q) => q.queueArn),
        }),
      );
    }
  }

  /** Lets a function create, read and delete schedules of the group, naming this role as their target role. */
  grantManage(grantee: iam.IGrantable & IConstruct): void {
    const stack = Stack.of(this);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.scheduleGroupName}/*`,
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
      resourceArns: [schedules],
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledgeWildcardResource(
      grantee,
      schedules,
      'Schedules are created at run time, one per delayed delivery, under generated names; the grant covers the schedules of this one group.',
    );
  }
}
