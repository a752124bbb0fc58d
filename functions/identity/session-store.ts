// Access patterns of sign-in sessions: listing a user's live sessions and revoking one or all of them.
// Revocation is read by the authorizer on every call, so it takes effect for tokens already issued.
import { createConversions, createWriteTransaction } from 'electrodb';
import { readFilteredPage } from '../../libs/data/filtered-page.ts';
import type { SessionItem, SignInProofItem } from '../../libs/data/identity-entities.ts';
import {
  concurrentUpdate,
  ifConditionHolds,
  eventItem,
  type Actor,
  type Page,
  type PageRequest,
} from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import { epochSeconds, type Clock, type IdentityStoreEntities } from './store-entities.ts';

/** DynamoDB's limit on the items of one transaction. */
const transactionLimit = 100;

export function createSessionStore(entities: IdentityStoreEntities, clock: Clock) {
  const sessionCursor = createConversions(entities.session).byAccessPattern.byUser.fromComposite;
  async function getSession(
    tenantId: string,
    userId: string,
    sessionId: string,
  ): Promise<SessionItem | undefined> {
    const { data } = await entities.session.get({ tenantId, userId, sessionId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** An SSO sign-in's one-time proof, by its code's hash. */
  async function getProof(codeHash: string): Promise<SignInProofItem | undefined> {
    const { data } = await entities.signInProof.get({ codeHash }).go({ consistent: true });
    return data ?? undefined;
  }

  /** Removes the proof if it is still there: of two answers with the same code, one gets through. */
  async function consumeProof(codeHash: string): Promise<boolean> {
    const removed = await ifConditionHolds(
      entities.signInProof
        .delete({ codeHash })
        .where((a, op) => op.exists(a.codeHash))
        .go(),
    );
    return removed !== undefined;
  }

  function liveSessions(tenantId: string, userId: string) {
    const now = epochSeconds(clock());
    return entities.session.query
      .byUser({ tenantId, userId })
      .where((a, op) => `${op.eq(a.status, 'active')} AND ${op.gt(a.expiresAt, now)}`);
  }

  async function listLiveSessions(
    tenantId: string,
    userId: string,
    page: PageRequest,
  ): Promise<Page<SessionItem>> {
    const query = liveSessions(tenantId, userId);
    return readFilteredPage(
      (read) => query.go(read),
      (x) => sessionCursor.toCursor(x),
      page,
    );
  }

  /** Revokes one session; false when it was revoked already. A missing session is a 404. */
  async function revokeSession(
    tenantId: string,
    userId: string,
    sessionId: string,
    actor: Actor,
  ): Promise<boolean> {
    const session = await getSession(tenantId, userId, sessionId);
    if (!session) throw problems.notFound('The session');
    if (session.status === 'revoked') return false;
    const now = clock();
    const event = eventItem(
      tenantId,
      actor,
      'session.revoked',
      { userId, scope: 'session', sessionIds: [sessionId] },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.session
        .patch({ tenantId, userId, sessionId })
        .set({ status: 'revoked', revokedAt: now.toISOString() })
        .where((a, op) => op.eq(a.status, 'active'))
        .commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) throw concurrentUpdate();
    return true;
  }

  /**
   * Sign out everywhere: every token whose sign-in is not later than now is refused (tokensNotBeforeMs),
   * and the live sessions are marked revoked. The first transaction carries the user, the event and
   * as many sessions as fit; sessions past that are only marked, as tokensNotBeforeMs covers them.
   * Answers how many sessions were revoked; a missing user is a 404.
   */
  async function revokeAllSessions(tenantId: string, userId: string, actor: Actor): Promise<number> {
    const { data: sessions } = await liveSessions(tenantId, userId).go({ pages: 'all' });
    const now = clock();
    const revokedAt = now.toISOString();
    const event = eventItem(
      tenantId,
      actor,
      'session.revoked',
      { userId, scope: 'all', sessionIds: sessions.map((s) => s.sessionId) },
      now,
    );
    const firstBatch = sessions.slice(0, transactionLimit - 2);
    const result = await createWriteTransaction(entities, (e) => [
      e.user
        .patch({ tenantId, userId })
        .set({ tokensNotBeforeMs: now.getTime(), updatedAt: revokedAt })
        .commit(),
      e.event.create(event).commit(),
      ...firstBatch.map((s) =>
        e.session
          .patch({ tenantId, userId, sessionId: s.sessionId })
          .set({ status: 'revoked', revokedAt })
          .commit(),
      ),
    ]).go();
    if (result.canceled) {
      if (result.data[0]?.rejected) throw problems.notFound('The user');
      throw concurrentUpdate();
    }
    for (let i = firstBatch.length; i < sessions.length; i += transactionLimit) {
      const batch = sessions.slice(i, i + transactionLimit);
      await createWriteTransaction(entities, (e) =>
        batch.map((s) =>
          e.session
            .patch({ tenantId, userId, sessionId: s.sessionId })
            .set({ status: 'revoked', revokedAt })
            .commit(),
        ),
      ).go();
    }
    return sessions.length;
  }

  return {
    getProof,
    consumeProof,
    getSession,
    listLiveSessions,
    revokeSession,
    revokeAllSessions,
  };
}
