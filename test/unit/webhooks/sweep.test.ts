// What the sweeper counts as a delivery whose message was lost.
import { describe, expect, it } from 'vitest';
import { overdueBefore } from '../../../functions/webhooks/sweep.ts';

describe('sweeper', () => {
  it('counts a delivery as lost once its attempt could have timed out and a minute more has passed', () => {
    expect(overdueBefore(new Date('2026-01-02T00:00:00.000Z'), 15).toISOString()).toBe(
      '2026-01-01T23:58:45.000Z',
    );
  });
});
