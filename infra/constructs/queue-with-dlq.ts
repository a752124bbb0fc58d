// A work queue with its dead-letter queue: after maxReceiveCount failed receives a message is
// parked in the DLQ, which alarms.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface QueueWithDlqProps {
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /** At least the consumer's timeout, so a message is not redelivered while still being worked on. */
  readonly visibilityTimeout: Duration;
  /** Where the DLQ's alarm notifies. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class QueueWithDlq extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      alarmAction: props.alarmAction,
      purpose: `messages of queue ${id} that failed ${props.maxReceiveCount} times`,
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
  }
}
