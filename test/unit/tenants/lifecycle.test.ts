import { describe, expect, it } from 'vitest';
import { nextStatus } from '../../../functions/tenants/lifecycle.ts';
import { Problem } from '../../../libs/http/problem.ts';

describe('tenant lifecycle', () => {
  it('suspends an active tenant and resumes a suspended one', () => {
    expect(nextStatus('active', 'suspend')).toBe('suspended');
    expect(nextStatus('suspended', 'resume')).toBe('active');
  });

  it.each([
    ['active', 'resume'],
    ['suspended', 'suspend'],
  ] as const)('refuses to %s → %s with invalid_transition', (from, action) => {
    try {
      nextStatus(from, action);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Problem);
      expect((error as Problem).status).toBe(409);
      expect((error as Problem).code).toBe('invalid_transition');
    }
  });
});
