// Which secrets sign an attempt.
import { describe, expect, it } from 'vitest';
import { activeSecrets } from '../../../functions/webhooks/deliver.ts';

const now = new Date('2026-01-02T00:00:00.000Z');

describe('delivery attempt', () => {
  it('signs with the current secret and a rotated-out one until it expires', () => {
    const secrets = [
      { sealed: 'current', createdAt: '2026-01-01T12:00:00.000Z' },
      { sealed: 'previous', createdAt: '2025-12-01T00:00:00.000Z', expiresAt: '2026-01-02T12:00:00.000Z' },
      { sealed: 'expired', createdAt: '2025-11-01T00:00:00.000Z', expiresAt: '2026-01-01T00:00:00.000Z' },
    ];

    expect(activeSecrets({ secrets }, now).map((s) => s.sealed)).toEqual(['current', 'previous']);
  });
});
