// Messages held back by an endpoint's rate limit.
import { describe, expect, it } from 'vitest';
import { rateLimitedDelaySeconds } from '../../../functions/webhooks/rate-limit.ts';

describe('rate limit', () => {
  it('a message held back by the rate limit comes again after one or two seconds', () => {
    expect(rateLimitedDelaySeconds(() => 0)).toBe(1);
    expect(rateLimitedDelaySeconds(() => 0.99)).toBe(2);
  });
});
