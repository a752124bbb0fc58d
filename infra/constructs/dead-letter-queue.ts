// A dead-letter queue that nobody can miss: encrypted, TLS only, and an alarm as soon as one message lands.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmRules, pageOperator } from './operator-alarms.ts';

export interface DeadLetterQueueProps {
  /** Where the alarm notifies, e.g. the region's alarm topic. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** What lands here, for the alarm's description, e.g. `jobs that failed 5 times`. */
  readonly purpose: string;
  /** @default Duration.days(14), the SQS maximum, so a parked message waits long enough to be looked at */
  readonly retentionPeriod?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  /** Fires on the first message ({@link alarmRules.deadLetters}): each one is work Plinth failed to do. */
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself where failures are parked (a redrive or on-failure target); a dead-letter queue of its own would have nothing to redrive.',
    });
    const rule = alarmRules.deadLetters;
    this.alarm = pageOperator(
      this,
      'NotEmpty',
      this.queue.metricApproximateNumberOfMessagesVisible({
        period: rule.period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      rule,
      `Dead-letter queue holds ${props.purpose}; inspect and redrive or discard.`,
      props.alarmAction,
    );
  }
}
