// Identity settings: defaults, and when the MFA grace period starts.
import { describe, expect, it } from 'vitest';
import { changeSettings, effectiveSettings } from '../../../functions/identity/settings.ts';

const t0 = new Date('2026-03-01T00:00:00.000Z');
const t1 = new Date('2026-03-05T00:00:00.000Z');

describe('identity settings', () => {
  it('a tenant that never set anything has MFA and SSO optional, no grace and the deployment expiry', () => {
    expect(effectiveSettings(undefined, 7)).toEqual({
      mfaPolicy: 'optional',
      mfaGraceDays: 0,
      invitationExpiryDays: 7,
      ssoPolicy: 'optional',
    });
  });

  it('the grace period starts when the policy becomes required, and not again while it stays required', () => {
    const first = changeSettings('ten_1', undefined, { mfaPolicy: 'required', mfaGraceDays: 7 }, t0);
    const second = changeSettings('ten_1', first.next, { mfaGraceDays: 3 }, t1);

    expect(first.next.mfaRequiredSince).toBe(t0.toISOString());
    expect(second.next.mfaRequiredSince).toBe(t0.toISOString());
    expect(second.diff).toEqual({ mfaGraceDays: { from: 7, to: 3 } });
  });

  it('leaving required forgets the start; requiring again starts a new grace period', () => {
    const required = changeSettings('ten_1', undefined, { mfaPolicy: 'required' }, t0).next;
    const optional = changeSettings('ten_1', required, { mfaPolicy: 'optional' }, t1).next;
    const again = changeSettings('ten_1', optional, { mfaPolicy: 'required' }, t1).next;

    expect(optional.mfaRequiredSince).toBeUndefined();
    expect(again.mfaRequiredSince).toBe(t1.toISOString());
  });

  it('setting what is already set changes nothing', () => {
    expect(changeSettings('ten_1', undefined, { mfaPolicy: 'optional' }, t0).diff).toEqual({});
  });
});
