// Secrets of the invitations context: invitation tokens (mailed, stored only as a hash) and the
// six-digit codes that prove a user can read a new email address.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const tokenPrefix = 'pit_';
/** `pit_` and 43 base64url characters: 32 random bytes, nothing else (no tenant, no id). */
export const invitationTokenPattern = /^pit_[A-Za-z0-9_-]{43}$/;

export function generateInvitationToken(): string {
  return `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 hex: the token has 256 random bits, so a plain hash is as strong as the token. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const verificationCodeLength = 6;

export function generateVerificationCode(): string {
  return String(randomInt(0, 10 ** verificationCodeLength)).padStart(verificationCodeLength, '0');
}

/** Bound to the user, so a stored hash says nothing about another user's code. */
export function hashVerificationCode(userId: string, code: string): string {
  return createHash('sha256').update(`${userId}:${code}`, 'utf8').digest('hex');
}

export function verificationCodeMatches(userId: string, code: string, storedHash: string): boolean {
  const given = Buffer.from(hashVerificationCode(userId, code), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
