// Users of the local pool: ListUsers filters, TOTP codes taken once, and the attribute schema.
import { describe, expect, it } from 'vitest';
import { generate, generateSecret } from 'otplib';
import { checkTotpCode } from '../../../infra/local/identity/mfa.ts';
import type { UserRecord } from '../../../infra/local/identity/state.ts';
import { compileUserFilter } from '../../../infra/local/identity/user-filter.ts';
import { readAttributes } from '../../../infra/local/identity/users.ts';

function user(username: string, email: string, enabled = true): UserRecord {
  return {
    username,
    attributes: { sub: username, email, name: 'Ada Lovelace' },
    passwordHash: '',
    status: 'CONFIRMED',
    enabled,
    createdAt: 0,
    updatedAt: 0,
    totp: { enabled: false },
  };
}

describe('ListUsers filters', () => {
  const ada = user('u-1', 'Ada@Example.com');
  const bob = user('u-2', 'bob@example.com', false);

  it('match email exactly or by prefix, ignoring case', () => {
    expect([ada, bob].filter(compileUserFilter('email = "ada@example.com"'))).toEqual([ada]);
    expect([ada, bob].filter(compileUserFilter('email ^= "B"'))).toEqual([bob]);
    expect([ada, bob].filter(compileUserFilter('status = "Disabled"'))).toEqual([bob]);
    expect([ada, bob].filter(compileUserFilter(''))).toEqual([ada, bob]);
  });

  it('refuse what Cognito cannot parse or search', () => {
    expect(() => compileUserFilter('email == ada')).toThrow('Error while parsing filter.');
    expect(() => compileUserFilter('custom:tenant_id = "ten_1"')).toThrow(
      expect.objectContaining({ type: 'InvalidParameterException' }),
    );
  });
});

describe('TOTP codes', () => {
  const secret = generateSecret();
  const at = 1_700_000_000_000;

  it('are accepted one step either side of the clock and refused once used', async () => {
    const code = await generate({ secret, epoch: at / 1000 - 30 });
    const first = await checkTotpCode(secret, code, at, undefined);
    expect(first.ok).toBe(true);
    const step = first.ok ? first.step : 0;
    await expect(checkTotpCode(secret, code, at, step)).resolves.toEqual({ ok: false, reason: 'reused' });
    const stale = await generate({ secret, epoch: at / 1000 - 90 });
    await expect(checkTotpCode(secret, stale, at, undefined)).resolves.toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });
});

describe('attributes', () => {
  it('take the pool’s schema and refuse sub, unknown names and bad emails', () => {
    expect(
      readAttributes([
        { Name: 'email_verified', Value: 'True' },
        { Name: 'custom:tenant_id', Value: 't' },
      ]),
    ).toEqual({
      email_verified: 'true',
      'custom:tenant_id': 't',
    });
    expect(() => readAttributes([{ Name: 'sub', Value: 'x' }])).toThrow('immutable');
    expect(() => readAttributes([{ Name: 'custom:plan', Value: 'x' }])).toThrow(
      'does not exist in the schema',
    );
    expect(() => readAttributes([{ Name: 'email', Value: 'not-an-email' }])).toThrow('Invalid email');
  });
});
