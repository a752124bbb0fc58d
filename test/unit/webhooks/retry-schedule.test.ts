// Which attempt outcomes are retried, and the delay before the next attempt.
import { describe, expect, it } from 'vitest';
import {
  delayBeforeAttempt,
  maxRetryAfterSeconds,
  retryAfterSeconds,
  verdictOf,
} from '../../../functions/webhooks/retry-schedule.ts';

const status = (statusCode: number) => verdictOf({ kind: 'response', statusCode });
const schedule = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

describe('retry classification', () => {
  it('any 2xx is a success', () => {
    expect([200, 201, 202, 204, 299].map(status)).toEqual(Array(5).fill('succeeded'));
  });

  it('408, 409, 425, 429 and every 5xx are retried', () => {
    expect([408, 409, 425, 429, 500, 502, 503, 504, 599].map(status)).toEqual(Array(9).fill('retry'));
  });

  it('other 4xx and redirects fail without a retry', () => {
    expect([400, 401, 403, 404, 410, 413, 422, 301, 302].map(status)).toEqual(Array(9).fill('failed'));
  });

  it('no answer at all (network error, timeout) is retried', () => {
    expect(verdictOf({ kind: 'no_response', error: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('retry');
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');

  it('reads delta-seconds and HTTP dates, and ignores what is neither', () => {
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:10:00 GMT', now)).toBe(600);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });

  it('a date in the past means now, and a pause longer than a day is cut to a day', () => {
    expect(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('9999999', now)).toBe(maxRetryAfterSeconds);
  });
});

describe('delay before an attempt', () => {
  it('follows the schedule: the first attempt at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    const delays = schedule.map((_, i) => delayBeforeAttempt(schedule, i + 1, { random: () => 0.5 }));

    expect(delays).toEqual(schedule);
  });

  it('moves every delay by up to 20% either way, in whole seconds', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const delay = delayBeforeAttempt(schedule, 4, { random: () => r })!;
      expect(delay).toBeGreaterThanOrEqual(1440);
      expect(delay).toBeLessThanOrEqual(2160);
      expect(Number.isInteger(delay)).toBe(true);
    }
    expect(delayBeforeAttempt(schedule, 4, { random: () => 0 })).toBe(1440);
    expect(delayBeforeAttempt(schedule, 4, { random: () => 0.999 })).toBe(2160);
  });

  it('jitters the first retry too: 5 s becomes 4, 5 or 6 s, not always the same', () => {
    const delays = [0, 0.4, 0.999].map((r) => delayBeforeAttempt(schedule, 2, { random: () => r }));

    expect(delays).toEqual([4, 5, 6]);
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(delayBeforeAttempt(schedule, 2, { retryAfter: 120, random: () => 0 })).toBe(120);
    expect(delayBeforeAttempt(schedule, 3, { retryAfter: 1, random: () => 0 })).toBe(240);
  });

  it('there is no attempt after the last one of the schedule', () => {
    expect(delayBeforeAttempt(schedule, schedule.length + 1)).toBeUndefined();
    expect(delayBeforeAttempt([0, 1], 3, { retryAfter: 10 })).toBeUndefined();
  });
});
