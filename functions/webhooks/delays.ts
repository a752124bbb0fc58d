// Getting a delivery message onto the deliveries queue now or later: SQS's own delay up to its 15
// minutes, an EventBridge Scheduler one-time schedule past that.
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';

export const deliveryMessageSchema = z.strictObject({
  tenantId: z.string().min(1),
  endpointId: z.string().min(1),
  deliveryId: z.string().min(1),
  /** The attempt this message asks for, 1-based. */
  attempt: z.number().int().min(1),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

export function parseDeliveryMessage(body: string): DeliveryMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error('malformed delivery message: not JSON');
  }
  const parsed = deliveryMessageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`malformed delivery message: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The longest delay SQS holds a message for itself. */
export const maxQueueDelaySeconds = 900;

export interface DeliveryQueueDeps {
  sqs: SQSClient;
  scheduler: SchedulerClient;
  queueUrl: string;
  /** The Scheduler target of long delays. */
  queueArn: string;
  scheduleGroupName: string;
  /** The role Scheduler assumes to send to the queue. */
  schedulerRoleArn: string;
}

/** A one-time schedule's name: unique per attempt, within Scheduler's 64 characters. */
export function scheduleNameOf(message: DeliveryMessage): string {
  return `whd-${message.endpointId}-${message.deliveryId}-${message.attempt}`;
}

/** Scheduler's `at(...)` expression (UTC, whole seconds, rounded up so it is never early). */
export function atExpression(when: Date): string {
  const seconds = Math.ceil(when.getTime() / 1000);
  return `at(${new Date(seconds * 1000).toISOString().slice(0, 19)})`;
}

export function createDeliveryQueue(deps: DeliveryQueueDeps) {
  /** Sends `message` to arrive after `delaySeconds`, counted from `now`. */
  async function enqueue(message: DeliveryMessage, delaySeconds: number, now: Date): Promise<void> {
    const delay = Math.max(0, Math.ceil(delaySeconds));
    if (delay <= maxQueueDelaySeconds) {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: delay,
        }),
      );
      return;
    }
    try {
      await deps.scheduler.send(
        new CreateScheduleCommand({
          Name: scheduleNameOf(message),
          GroupName: deps.scheduleGroupName,
          ScheduleExpression: atExpression(new Date(now.getTime() + delay * 1000)),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: { Arn: deps.queueArn, RoleArn: deps.schedulerRoleArn, Input: JSON.stringify(message) },
        }),
      );
    } catch (error) {
      // The same attempt was scheduled by an earlier run of this message: nothing more to do.
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  return { enqueue };
}

export type DeliveryQueue = ReturnType<typeof createDeliveryQueue>;
