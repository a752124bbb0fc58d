// Invitation tokens and verification codes: their shape, and that only hashes are compared.
import { describe, expect, it } from 'vitest';
import {
  generateInvitationToken,
  generateVerificationCode,
  hashInvitationToken,
  hashVerificationCode,
  invitationTokenPattern,
  verificationCodeMatches,
} from '../../../functions/invitations/tokens.ts';

describe('invitation tokens', () => {
  it('are pit_ and 43 base64url characters, different every time', () => {
    const tokens = Array.from({ length: 50 }, generateInvitationToken);

    expect(tokens.every((t) => invitationTokenPattern.test(t))).toBe(true);
    expect(new Set(tokens).size).toBe(50);
  });

  it('are stored as the SHA-256 hex of the token', () => {
    // The FIPS 180-2 test vector for "abc".
    expect(hashInvitationToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('verification codes', () => {
  it('are six digits, leading zeros kept', () => {
    const codes = Array.from({ length: 200 }, generateVerificationCode);

    expect(codes.every((c) => /^[0-9]{6}$/.test(c))).toBe(true);
  });

  it('match only the code they were made from, for the user they were made for', () => {
    const stored = hashVerificationCode('user-1', '012345');

    expect(verificationCodeMatches('user-1', '012345', stored)).toBe(true);
    expect(verificationCodeMatches('user-1', '012346', stored)).toBe(false);
    expect(verificationCodeMatches('user-2', '012345', stored)).toBe(false);
  });
});
