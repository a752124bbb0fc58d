import { describe, expect, it } from 'vitest';
import { oneTimeDueAt } from '../../../infra/local/one-time-schedule.ts';

const iso = (millis: number) => new Date(millis).toISOString();

describe('when a one-time schedule is due', () => {
  it('reads at(...) as UTC when no time zone is given', () => {
    expect(iso(oneTimeDueAt('at(2026-03-01T10:15:30)'))).toBe('2026-03-01T10:15:30.000Z');
  });

  it("reads at(...) as the wall-clock time of the schedule's time zone, summer time included", () => {
    expect(iso(oneTimeDueAt('at(2026-07-01T12:00:00)', 'Europe/Berlin'))).toBe('2026-07-01T10:00:00.000Z');
    expect(iso(oneTimeDueAt('at(2026-01-15T12:00:00)', 'Europe/Berlin'))).toBe('2026-01-15T11:00:00.000Z');
    expect(iso(oneTimeDueAt('at(2026-01-15T12:00:00)', 'America/New_York'))).toBe('2026-01-15T17:00:00.000Z');
  });

  it('finds the right offset on the day the clocks change', () => {
    // Berlin moves from +01:00 to +02:00 at 02:00 local time on 29 March 2026.
    expect(iso(oneTimeDueAt('at(2026-03-29T01:30:00)', 'Europe/Berlin'))).toBe('2026-03-29T00:30:00.000Z');
    expect(iso(oneTimeDueAt('at(2026-03-29T03:30:00)', 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('refuses dates that do not exist, unknown time zones and malformed expressions', () => {
    expect(() => oneTimeDueAt('at(2026-02-30T10:00:00)')).toThrow(/Invalid Schedule Expression/);
    expect(() => oneTimeDueAt('at(2026-03-01T24:00:00)')).toThrow(/Invalid Schedule Expression/);
    expect(() => oneTimeDueAt('at(2026-03-01 10:00:00)')).toThrow(/Invalid Schedule Expression/);
    expect(() => oneTimeDueAt('at(2026-03-01T10:00:00)', 'Mars/Olympus')).toThrow(/Invalid time zone/);
  });

  it('says that recurring expressions are not run on one machine', () => {
    expect(() => oneTimeDueAt('rate(5 minutes)')).toThrow(/only one-time at\(\.\.\.\) schedules/);
    expect(() => oneTimeDueAt('cron(0 2 * * ? *)')).toThrow(/only one-time at\(\.\.\.\) schedules/);
  });
});
