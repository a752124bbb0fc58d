// Putting a delivery message on the queue: SQS delays up to 15 minutes, Scheduler beyond, the DLQ at the end.
import { CreateScheduleCommand, ConflictException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atExpression,
  createDeliveryQueue,
  parseDeliveryMessage,
  scheduleNameOf,
} from '../../../functions/webhooks/delays.ts';

const sqsMock = mockClient(SQSClient);
const schedulerMock = mockClient(SchedulerClient);
const message = {
  tenantId: 'ten_01JD0000000000000000000000',
  endpointId: 'ep_01JD0000000000000000000000',
  deliveryId: '01JD0000000000000000000000',
  attempt: 12,
};
const now = new Date('2026-01-01T00:00:00.250Z');
const queue = createDeliveryQueue({
  sqs: new SQSClient({ region: 'us-east-1' }),
  scheduler: new SchedulerClient({ region: 'us-east-1' }),
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/1/deliveries',
  queueArn: 'arn:aws:sqs:us-east-1:1:deliveries',
  scheduleGroupName: 'plinth',
  schedulerRoleArn: 'arn:aws:iam::1:role/scheduler',
});

afterEach(() => {
  sqsMock.reset();
  schedulerMock.reset();
});

describe('delivery delays', () => {
  it('a delay up to 900 s is an SQS DelaySeconds', async () => {
    await queue.enqueue(message, 899.2, now);

    const [call] = sqsMock.commandCalls(SendMessageCommand);
    expect(call?.args[0].input.DelaySeconds).toBe(900);
    expect(call?.args[0].input.QueueUrl).toMatch(/deliveries$/);
    expect(JSON.parse(call!.args[0].input.MessageBody!)).toEqual(message);
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('a longer delay is a one-time Scheduler schedule that sends the message to the queue and deletes itself', async () => {
    await queue.enqueue(message, 7200, now);

    const [call] = schedulerMock.commandCalls(CreateScheduleCommand);
    expect(call?.args[0].input).toEqual({
      Name: scheduleNameOf(message),
      GroupName: 'plinth',
      ScheduleExpression: 'at(2026-01-01T02:00:01)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:sqs:us-east-1:1:deliveries',
        RoleArn: 'arn:aws:iam::1:role/scheduler',
        Input: JSON.stringify(message),
      },
    });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('a schedule that already exists for the attempt counts as scheduled', async () => {
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));

    await expect(queue.enqueue(message, 3600, now)).resolves.toBeUndefined();
  });

  it('schedule names are unique per attempt and fit Scheduler’s 64 characters', () => {
    const name = scheduleNameOf({ ...message, attempt: 20 });

    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[0-9a-zA-Z-_.]+$/);
    expect(name).not.toBe(scheduleNameOf({ ...message, attempt: 19 }));
  });

  it('at(...) is never earlier than asked', () => {
    expect(atExpression(new Date('2026-01-01T00:00:00.001Z'))).toBe('at(2026-01-01T00:00:01)');
    expect(atExpression(new Date('2026-01-01T00:00:00.000Z'))).toBe('at(2026-01-01T00:00:00)');
  });

  it('a malformed message is refused with what is wrong', () => {
    expect(parseDeliveryMessage(JSON.stringify(message))).toEqual(message);
    expect(() => parseDeliveryMessage(JSON.stringify({ ...message, attempt: 0 }))).toThrow(/attempt/);
  });
});
