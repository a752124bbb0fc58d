// Access patterns of pending email changes: the change waiting for its code, the codes a user tried
// this hour, and the verified change (the user's email, the pending item removed and
// user.email_changed) in one transaction.
import { createWriteTransaction } from 'electrodb';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import {
  concurrentUpdate,
  eventItem,
  ifConditionHolds,
  transactionConflict,
  underLimit,
} from '../../libs/data/outbox.ts';
import type { MailItem } from '../../libs/mail/entity.ts';
import type { EmailChangeItem, InvitationEntities } from './entities.ts';

/** How long a count outlives its hour before the TTL removes it; any clock skew fits in it. */
const attemptsRetentionSeconds = 3600;

export function createEmailChangeStore(entities: InvitationEntities) {
  async function putEmailChange(change: EmailChangeItem, mail: MailItem): Promise<void> {
    const result = await createWriteTransaction(entities, (e) => [
      e.emailChange.put(change).commit(),
      e.mail.create(mail).commit(),
    ]).go();
    if (result.canceled) throw transactionConflict('The code could not be sent');
  }

  async function getEmailChange(tenantId: string, userId: string): Promise<EmailChangeItem | undefined> {
    const { data } = await entities.emailChange.get({ tenantId, userId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** Counts a wrong code; if the change was replaced or removed meanwhile there is nothing to count. */
  async function recordWrongCode(change: EmailChangeItem): Promise<void> {
    await createWriteTransaction(entities, (e) => [
      e.emailChange
        .patch({ tenantId: change.tenantId, userId: change.userId })
        .add({ attempts: 1 })
        .where((a, op) => op.eq(a.codeHash, change.codeHash))
        .commit(),
    ]).go();
  }

  /**
   * Counts one code entered by the user in the hour starting at `windowStart`, unless `limit` codes
   * were already entered in it: the condition makes that hold however many requests run at once.
   * Answers whether the attempt may go ahead.
   */
  async function takeCodeAttempt(
    user: Pick<UserItem, 'tenantId' | 'userId'>,
    window: { start: number; end: number },
    limit: number,
  ): Promise<boolean> {
    const counted = await ifConditionHolds(
      entities.emailCodeAttempts
        .update({ tenantId: user.tenantId, userId: user.userId, windowStart: window.start })
        .add({ attempts: 1 })
        .set({ expiresAt: window.end + attemptsRetentionSeconds })
        .where((a, op) => underLimit(a.attempts, limit, op))
        .go({ response: 'none' }),
    );
    return counted !== undefined;
  }

  async function dropEmailChange(change: EmailChangeItem): Promise<void> {
    await entities.emailChange.delete({ tenantId: change.tenantId, userId: change.userId }).go();
  }

  /** The verified change: the user's email, the pending change removed, user.email_changed. */
  async function changeEmail(user: UserItem, change: EmailChangeItem, now: Date): Promise<void> {
    const event = eventItem(
      user.tenantId,
      { type: 'user', id: user.userId },
      'user.email_changed',
      { userId: user.userId, from: user.email, to: change.email },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.user
        .patch({ tenantId: user.tenantId, userId: user.userId })
        .set({ email: change.email, emailVerified: true, updatedAt: now.toISOString() })
        .where((a, op) => op.eq(a.email, user.email))
        .commit(),
      e.emailChange
        .delete({ tenantId: change.tenantId, userId: change.userId })
        .where((a, op) => op.eq(a.codeHash, change.codeHash))
        .commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw concurrentUpdate();
  }

  return {
    putEmailChange,
    getEmailChange,
    recordWrongCode,
    takeCodeAttempt,
    dropEmailChange,
    changeEmail,
  };
}

export type EmailChangeStore = ReturnType<typeof createEmailChangeStore>;
