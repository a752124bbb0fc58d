// The replay guard of a SAML connection: an assertion id is written once, with a condition, so of
// two requests carrying the same assertion (in sequence or at once) exactly one gets through.
import type { AssertionLedger } from './saml.ts';
import type { SsoEntities } from './entities.ts';

function conditionFailed(error: unknown): boolean {
  const cause = (error as { cause?: { name?: string } }).cause;
  return cause?.name === 'ConditionalCheckFailedException';
}

export function createAssertionLedger(
  entities: Pick<SsoEntities, 'samlAssertion'>,
  connection: { tenantId: string; connectionId: string },
): AssertionLedger {
  return {
    async remember(assertionId, until) {
      try {
        await entities.samlAssertion
          .create({ ...connection, assertionId, expiresAt: Math.ceil(until.getTime() / 1000) })
          .go();
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },
  };
}
