// EventBridge cron(...) expressions read as EventBridge reads them: the examples of its cron
// reference, with when each fires next, and the expressions it refuses.
import { describe, expect, it } from 'vitest';
import { CronExpressionError, parseCron } from '../../../infra/cron-expression.ts';

/** The next three runs after `from`, as ISO strings. */
const runs = (expression: string, from: string) =>
  parseCron(expression)
    .nextRuns(3, new Date(from))
    .map((d) => d.toISOString());

// 2026-03-01 is a Sunday.
const sundayMidnight = '2026-03-01T00:00:00.000Z';

describe('cron expressions, as in the EventBridge examples', () => {
  it.each([
    {
      expression: 'cron(0 10 * * ? *)',
      meaning: '10:00 UTC every day',
      next: ['2026-03-01T10:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z'],
    },
    {
      expression: 'cron(15 12 * * ? *)',
      meaning: '12:15 UTC every day',
      next: ['2026-03-01T12:15:00.000Z', '2026-03-02T12:15:00.000Z', '2026-03-03T12:15:00.000Z'],
    },
    {
      expression: 'cron(0 18 ? * MON-FRI *)',
      meaning: '18:00 UTC Monday to Friday',
      next: ['2026-03-02T18:00:00.000Z', '2026-03-03T18:00:00.000Z', '2026-03-04T18:00:00.000Z'],
    },
    {
      expression: 'cron(0 8 1 * ? *)',
      meaning: '08:00 UTC on the first of every month',
      next: ['2026-03-01T08:00:00.000Z', '2026-04-01T08:00:00.000Z', '2026-05-01T08:00:00.000Z'],
    },
    {
      expression: 'cron(0/15 * * * ? *)',
      meaning: 'every 15 minutes',
      next: ['2026-03-01T00:15:00.000Z', '2026-03-01T00:30:00.000Z', '2026-03-01T00:45:00.000Z'],
    },
    {
      expression: 'cron(0/10 * ? * MON-FRI *)',
      meaning: 'every 10 minutes Monday to Friday',
      next: ['2026-03-02T00:00:00.000Z', '2026-03-02T00:10:00.000Z', '2026-03-02T00:20:00.000Z'],
    },
    {
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
      meaning: 'every 5 minutes from 08:00 to 17:55 UTC Monday to Friday',
      next: ['2026-03-02T08:00:00.000Z', '2026-03-02T08:05:00.000Z', '2026-03-02T08:10:00.000Z'],
    },
    {
      expression: 'cron(0 23 20 11 ? *)',
      meaning: '23:00 on 20 November',
      next: ['2026-11-20T23:00:00.000Z', '2027-11-20T23:00:00.000Z', '2028-11-20T23:00:00.000Z'],
    },
  ])('$expression runs at $meaning', ({ expression, next }) => {
    expect(runs(expression, sundayMidnight)).toEqual(next);
  });
});

describe('day-of-week, L, W and #', () => {
  it('counts day-of-week 1-7 from Sunday, not 0-6', () => {
    // 2 is Monday in EventBridge; croner's 2 would be Tuesday.
    expect(runs('cron(0 9 ? * 2 *)', sundayMidnight)[0]).toBe('2026-03-02T09:00:00.000Z');
    expect(runs('cron(0 9 ? * 1 *)', sundayMidnight)[0]).toBe('2026-03-01T09:00:00.000Z');
    expect(runs('cron(0 9 ? * 7 *)', sundayMidnight)[0]).toBe('2026-03-07T09:00:00.000Z');
  });

  it('3#2 is the second Tuesday of the month', () => {
    expect(runs('cron(0 9 ? * 3#2 *)', sundayMidnight)).toEqual([
      '2026-03-10T09:00:00.000Z',
      '2026-04-14T09:00:00.000Z',
      '2026-05-12T09:00:00.000Z',
    ]);
  });

  it('L is the last day of the month in day-of-month, Saturday alone in day-of-week, and 6L the last Friday', () => {
    expect(runs('cron(0 0 L * ? *)', sundayMidnight)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-04-30T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
    ]);
    expect(runs('cron(0 0 ? * L *)', sundayMidnight)[0]).toBe('2026-03-07T00:00:00.000Z');
    expect(runs('cron(0 0 ? * 6L *)', sundayMidnight)[0]).toBe('2026-03-27T00:00:00.000Z');
  });

  it('15W is the weekday nearest the 15th', () => {
    // 15 March 2026 is a Sunday, so Monday the 16th.
    expect(runs('cron(0 0 15W * ? *)', sundayMidnight)[0]).toBe('2026-03-16T00:00:00.000Z');
  });

  it('the year field limits the runs, and a year past means no run at all', () => {
    expect(runs('cron(0 12 1 1 ? 2028-2029)', sundayMidnight)).toEqual([
      '2028-01-01T12:00:00.000Z',
      '2029-01-01T12:00:00.000Z',
    ]);
    expect(parseCron('cron(0 12 * * ? 2020)').nextRun(new Date(sundayMidnight))).toBeNull();
  });

  it('a range that passes the end of the field wraps around', () => {
    expect(runs('cron(0 22-1 ? * MON *)', sundayMidnight)).toEqual([
      '2026-03-02T00:00:00.000Z',
      '2026-03-02T01:00:00.000Z',
      '2026-03-02T22:00:00.000Z',
    ]);
  });
});

describe('expressions EventBridge refuses', () => {
  it.each([
    ['cron(0 10 * * *)', /5 fields/],
    ['cron(0 0 10 * * ? *)', /7 fields/],
    ['cron(0 10 * * * *)', /must be \?/],
    ['cron(0 10 1 * MON *)', /must be \?/],
    ['cron(0 10 ? * ? *)', /must be \?/],
    ['cron(60 10 * * ? *)', /minutes takes 0-59/],
    ['cron(0 24 * * ? *)', /hours takes 0-23/],
    ['cron(0 10 32 * ? *)', /day-of-month takes 1-31/],
    ['cron(0 10 ? * 0 *)', /day-of-week takes 1-7/],
    ['cron(0 10 ? * MON/2 *)', /day-of-week takes no "\/"/],
    ['cron(0 10 ? * 3#1,6#3 *)', /one expression/],
    ['cron(0 10 ? * 3#6 *)', /at most 5/],
    ['cron(0 10 * * ? 1969)', /year takes 1970-2199/],
    ['cron(0 10 * FOO ? *)', /"FOO" is not a value of month/],
    ['rate(5 minutes)', /not cron/],
  ])('%s', (expression, why) => {
    expect(() => parseCron(expression)).toThrow(CronExpressionError);
    expect(() => parseCron(expression)).toThrow(why);
  });
});
