// The input of a recovery job.
import { describe, expect, it } from 'vitest';
import { recoverInputSchema } from '../../../functions/webhooks/recover.ts';

describe('recovery input', () => {
  it('needs an endpoint id and an ISO time', () => {
    expect(
      recoverInputSchema.safeParse({ endpointId: 'ep_1', since: '2026-01-01T00:00:00.000Z' }).success,
    ).toBe(true);
    expect(recoverInputSchema.safeParse({ endpointId: 'ep_1', since: 'yesterday' }).success).toBe(false);
    expect(recoverInputSchema.safeParse({ since: '2026-01-01T00:00:00.000Z' }).success).toBe(false);
  });
});
