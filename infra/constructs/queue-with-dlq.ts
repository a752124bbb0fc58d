// A work queue with its dead-letter queue: after maxReceiveCount failed receives a message is
// parked in the DLQ, which alarms; and an alarm when the queue's oldest message is older than a
// message of a consumed queue can get.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { alarmRules, heldFor, pageOperator, workQueueMaxAge } from './operator-alarms.ts';

export interface QueueWithDlqProps {
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /** At least the consumer's timeout, so a message is not redelivered while still being worked on. */
  readonly visibilityTimeout: Duration;
  /** Where the alarms notify. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /**
   * Age of the oldest message at which the queue counts as not consumed.
   * @default workQueueMaxAge(maxReceiveCount, visibilityTimeout): every receive failing, plus SQS's longest delay
   */
  readonly maxMessageAge?: Duration;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class QueueWithDlq extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;
  /** Fires when the oldest message outlives `maxMessageAge` for {@link alarmRules.workQueueAge}. */
  readonly ageAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      alarmAction: props.alarmAction,
      purpose: `messages of queue ${id} that Plinth failed to process ${props.maxReceiveCount} times`,
      removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy,
    });

    const maxAge = props.maxMessageAge ?? workQueueMaxAge(props.maxReceiveCount, props.visibilityTimeout);
    const rule = { ...alarmRules.workQueueAge, threshold: maxAge.toSeconds() };
    this.ageAlarm = pageOperator(
      this,
      'OldestMessage',
      this.queue.metricApproximateAgeOfOldestMessage({
        period: rule.period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      rule,
      `Queue ${id} has held a message for ${maxAge.toHumanString()} or more ${heldFor(rule)}, longer than its consumer's retries take: it is not being consumed (throttled, disabled or falling behind).`,
      props.alarmAction,
    );
  }
}
