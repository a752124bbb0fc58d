// Which ID token claims count as a second factor: RFC 8176 methods the person holds or that say
// "multiple factors", and acr values that name MFA; a password or a risk signal alone does not.
import { describe, expect, it } from 'vitest';
import { oidcMfaEvidence } from '../../../functions/sso/oidc.ts';

const claims = (extra: Record<string, unknown>) => ({ sub: 's', ...extra });

describe('oidcMfaEvidence', () => {
  it.each([['mfa'], ['otp'], ['hwk'], ['swk'], ['sms'], ['mca']])('takes amr %s as MFA', (method) => {
    expect(oidcMfaEvidence(claims({ amr: ['pwd', method] }))).toBe(true);
  });

  it.each([[['pwd']], [['pwd', 'rba']], [['pin', 'kba']], [[]]])('does not take amr %j as MFA', (amr) => {
    expect(oidcMfaEvidence(claims({ amr }))).toBe(false);
  });

  it.each([
    ['http://schemas.openid.net/pape/policies/2007/06/multi-factor', true],
    ['phrh', true],
    ['urn:example:mfa', true],
    ['urn:mace:incommon:iap:silver', false],
    ['1', false],
  ])('reads acr %s', (acr, mfa) => {
    expect(oidcMfaEvidence(claims({ acr }))).toBe(mfa);
  });
});
