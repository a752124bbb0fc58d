// The invitations context's pure rules: expiry, the status as read, and bulk row classification.
import { describe, expect, it } from 'vitest';
import {
  classifyRows,
  effectiveStatus,
  expiresAtFrom,
  invitationExpiryDays,
  isUsableEmail,
  normalizeEmail,
} from '../../../functions/invitations/policy.ts';

const deployment = { identity: { invitationExpiryDays: 7 } };

describe('invitation expiry', () => {
  it("uses the tenant's own expiry when set, else the deployment's", () => {
    expect(invitationExpiryDays(undefined, deployment)).toBe(7);
    expect(invitationExpiryDays({}, deployment)).toBe(7);
    expect(invitationExpiryDays({ invitationExpiryDays: 3 }, deployment)).toBe(3);
  });

  it('expires the given number of days later', () => {
    expect(expiresAtFrom(new Date('2026-03-01T10:00:00.000Z'), 7)).toBe('2026-03-08T10:00:00.000Z');
  });

  it('a pending invitation reads as expired from its expiry on; other statuses read as stored', () => {
    const expiresAt = '2026-03-08T10:00:00.000Z';
    const before = new Date('2026-03-08T09:59:59.999Z');
    const at = new Date(expiresAt);

    expect(effectiveStatus({ status: 'pending', expiresAt }, before)).toBe('pending');
    expect(effectiveStatus({ status: 'pending', expiresAt }, at)).toBe('expired');
    expect(effectiveStatus({ status: 'accepted', expiresAt }, at)).toBe('accepted');
    expect(effectiveStatus({ status: 'revoked', expiresAt }, at)).toBe('revoked');
  });
});

describe('emails', () => {
  it('are trimmed and lower-cased', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
  });

  it('must look like an address', () => {
    expect(['ada@example.com', 'a.b+c@sub.example.org'].map(isUsableEmail)).toEqual([true, true]);
    expect(['', 'ada', 'ada@', '@example.com', 'ada@example', 'a b@example.com'].map(isUsableEmail)).toEqual(
      Array(6).fill(false),
    );
  });
});

describe('bulk rows', () => {
  it('marks malformed emails, later duplicates (ignoring case) and the candidates to invite', () => {
    const checks = classifyRows([
      { email: 'ada@example.com' },
      { email: 'nope' },
      { email: 'ADA@example.com ' },
      { email: 'bob@example.com' },
      { email: 'nope' },
      { email: 'bob@example.com' },
    ]);

    expect(checks).toEqual([
      { kind: 'candidate', email: 'ada@example.com' },
      { kind: 'invalid_email' },
      { kind: 'duplicate_in_batch', firstRow: 0 },
      { kind: 'candidate', email: 'bob@example.com' },
      { kind: 'invalid_email' },
      { kind: 'duplicate_in_batch', firstRow: 3 },
    ]);
  });
});
