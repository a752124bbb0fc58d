// The local pool's password rules: Cognito's default policy, and scrypt hashes that verify only
// the password they were made from.
import { describe, expect, it } from 'vitest';
import {
  assertPasswordPolicy,
  hashPassword,
  passwordMatches,
  temporaryPassword,
} from '../../../infra/local/identity/passwords.ts';

describe('local identity passwords', () => {
  it.each([
    ['Sh0rt!', 'Password not long enough'],
    ['nouppercase1!', 'Password must have uppercase characters'],
    ['NOLOWERCASE1!', 'Password must have lowercase characters'],
    ['NoDigits-here', 'Password must have numeric characters'],
    ['NoSymbols123', 'Password must have symbol characters'],
  ])('refuses %s with InvalidPasswordException (%s)', (password, problem) => {
    expect(() => assertPasswordPolicy(password)).toThrow(
      expect.objectContaining({ type: 'InvalidPasswordException' }),
    );
    expect(() => assertPasswordPolicy(password)).toThrow(problem);
  });

  it('accepts a password with every kind of character, and the temporary ones it makes', () => {
    expect(() => assertPasswordPolicy('Correct-horse-9')).not.toThrow();
    expect(() => assertPasswordPolicy(temporaryPassword())).not.toThrow();
  });

  it('verifies a hash against its own password only', async () => {
    const hash = await hashPassword('Correct-horse-9');
    expect(hash).not.toContain('Correct-horse-9');
    await expect(passwordMatches('Correct-horse-9', hash)).resolves.toBe(true);
    await expect(passwordMatches('Correct-horse-8', hash)).resolves.toBe(false);
  });
});
