// A one-time EventBridge Scheduler schedule: the CreateSchedule request the local scheduler API
// accepts, how it is kept in the data dir, and when its `at(yyyy-mm-ddThh:mm:ss)` expression is due
// (a wall-clock time in the schedule's time zone: UTC unless ScheduleExpressionTimezone names one).
import * as z from 'zod';

export const resourceName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9a-zA-Z\-_.]+$/);

export const createScheduleRequest = z
  .object({
    ScheduleExpression: z.string().min(1).max(256),
    ScheduleExpressionTimezone: z.string().min(1).max(50).optional(),
    GroupName: resourceName.optional(),
    Description: z.string().max(512).optional(),
    State: z.enum(['ENABLED', 'DISABLED']).optional(),
    ActionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
    StartDate: z.number().optional(),
    EndDate: z.number().optional(),
    KmsKeyArn: z.string().optional(),
    ClientToken: z.string().optional(),
    FlexibleTimeWindow: z
      .object({
        Mode: z.enum(['OFF', 'FLEXIBLE']),
        MaximumWindowInMinutes: z.number().int().min(1).max(1440).optional(),
      })
      .refine((w) => w.Mode === 'OFF' || w.MaximumWindowInMinutes !== undefined, {
        message: 'MaximumWindowInMinutes is required when Mode is FLEXIBLE',
      }),
    Target: z.object({
      Arn: z.string().min(1).max(1600),
      RoleArn: z.string().min(1).max(1600),
      Input: z.string().min(1).max(8192).optional(),
      RetryPolicy: z
        .object({
          MaximumEventAgeInSeconds: z.number().int().optional(),
          MaximumRetryAttempts: z.number().int().optional(),
        })
        .optional(),
      DeadLetterConfig: z.object({ Arn: z.string().optional() }).optional(),
      SqsParameters: z.object({ MessageGroupId: z.string().optional() }).optional(),
    }),
  })
  .strict();

const storedScheduleSchema = z.object({
  name: z.string(),
  group: z.string(),
  arn: z.string(),
  request: createScheduleRequest,
  createdAt: z.number(),
  dueAt: z.number(),
  firedAt: z.number().optional(),
});
export type StoredSchedule = z.infer<typeof storedScheduleSchema>;

export const scheduleStateSchema = z.object({ schedules: z.array(storedScheduleSchema) });

export class ScheduleExpressionError extends Error {}

const atExpression = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

function zoneOffsetMillis(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wallClock = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wallClock - Math.floor(instant / 1000) * 1000;
}

function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant (epoch milliseconds) an `at(...)` expression names. Throws ScheduleExpressionError
 * for anything else: rate(...) and cron(...) schedules are not run by the local scheduler API.
 */
export function oneTimeDueAt(expression: string, timeZone = 'UTC'): number {
  const match = atExpression.exec(expression.trim());
  if (!match) {
    throw new ScheduleExpressionError(
      /^(rate|cron)\(/.test(expression.trim())
        ? `${expression}: only one-time at(...) schedules run on one machine`
        : `Invalid Schedule Expression ${expression}.`,
    );
  }
  if (!knownTimeZone(timeZone)) throw new ScheduleExpressionError(`Invalid time zone ${timeZone}.`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  const asUtc = new Date(wallClock);
  if (
    asUtc.getUTCFullYear() !== year ||
    asUtc.getUTCMonth() !== month - 1 ||
    asUtc.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new ScheduleExpressionError(`Invalid Schedule Expression ${expression}.`);
  }
  // The zone's offset at the guess can differ from the offset at the answer across a DST change, so look twice.
  const guess = wallClock - zoneOffsetMillis(wallClock, timeZone);
  return wallClock - zoneOffsetMillis(guess, timeZone);
}
