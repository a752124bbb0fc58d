import { describe, expect, it } from 'vitest';
import { nextStatus } from '../../../functions/tenants/lifecycle.ts';
import { Problem } from '../../../libs/http/problem.ts';

describe('tenant lifecycle', () => {
  it('suspends an active tenant and resumes a suspended one', () => {
    expect(nextStatus('active', 'suspend')).toBe('suspended');
    expect(nextStatus('suspended', 'resume')).toBe('active');
  });

  it.each([
    ['active', 'resume', 'A tenant that is active cannot be resumed.'],
    ['suspended', 'suspend', 'A tenant that is suspended cannot be suspended.'],
  ] as const)('refuses to %s → %s with invalid_transition', (from, action, detail) => {
    try {
      nextStatus(from, action);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Problem);
      expect((error as Problem).status).toBe(409);
      expect((error as Problem).code).toBe('invalid_transition');
      expect((error as Problem).detail).toBe(detail);
    }
  });
});
