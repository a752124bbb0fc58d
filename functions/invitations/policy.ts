// The invitations context's rules, as pure functions: when an invitation expires, what status it
// reads as, when a pending one is replaced, which emails are usable, and how a bulk request's rows are classified before any I/O.
import * as z from 'zod';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { IdentitySettingsItem } from '../../libs/data/identity-entities.ts';
import type { InvitationItem, InvitationStatus } from './entities.ts';

const dayMillis = 86_400_000;

/** The tenant's own expiry when it set one, else the deployment's. */
export function invitationExpiryDays(
  settings: Pick<IdentitySettingsItem, 'invitationExpiryDays'> | undefined,
  deployment: Pick<DeploymentConfig, 'identity'>,
): number {
  return settings?.invitationExpiryDays ?? deployment.identity.invitationExpiryDays;
}

export function expiresAtFrom(now: Date, days: number): string {
  return new Date(now.getTime() + days * dayMillis).toISOString();
}

/** A pending invitation past its expiry reads as expired, whether or not that was recorded yet. */
export function effectiveStatus(
  invitation: Pick<InvitationItem, 'status' | 'expiresAt'>,
  now: Date,
): InvitationStatus {
  if (invitation.status === 'pending' && invitation.expiresAt <= now.toISOString()) return 'expired';
  return invitation.status;
}

export type PendingOutcome =
  | { kind: 'invite'; replaced: InvitationItem | undefined }
  | { kind: 'already_invited'; pending: InvitationItem };

/**
 * What inviting an email does about its pending invitation: one still valid is replaced only when
 * the request asks (`replacePending`), so nobody's invitation changes roles unnoticed; one past its
 * expiry can no longer be accepted, so it is always replaced.
 */
export function againstPending(
  sent: readonly InvitationItem[],
  now: Date,
  replacePending: boolean,
): PendingOutcome {
  const pending = sent.find((i) => i.status === 'pending');
  if (pending && !replacePending && effectiveStatus(pending, now) === 'pending') {
    return { kind: 'already_invited', pending };
  }
  return { kind: 'invite', replaced: pending };
}

/** Emails are compared and stored lower-cased, as the user pool signs people in case-insensitively. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const emailSchema = z.email().max(254);

export function isUsableEmail(email: string): boolean {
  return emailSchema.safeParse(email).success;
}

/** Rows one bulk invitation request may carry. */
export const maxBulkRows = 1000;

export type RowCheck =
  | { kind: 'invalid_email' }
  | { kind: 'duplicate_in_batch'; firstRow: number }
  | { kind: 'candidate'; email: string };

/**
 * Classifies every row of a bulk invitation: a malformed email, an email an earlier row already
 * has (case-insensitively), or a candidate to invite. The first row of an email is the candidate.
 */
export function classifyRows(rows: ReadonlyArray<{ email: string }>): RowCheck[] {
  const firstRowOf = new Map<string, number>();
  return rows.map((row, index) => {
    const email = normalizeEmail(row.email);
    if (!isUsableEmail(email)) return { kind: 'invalid_email' };
    const first = firstRowOf.get(email);
    if (first !== undefined) return { kind: 'duplicate_in_batch', firstRow: first };
    firstRowOf.set(email, index);
    return { kind: 'candidate', email };
  });
}
