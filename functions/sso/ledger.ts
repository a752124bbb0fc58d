// The replay guard of a SAML connection: an assertion id is written once, with a condition, so of
// two requests carrying the same assertion (in sequence or at once) exactly one gets through.
import { ifConditionHolds } from '../../libs/data/outbox.ts';
import type { AssertionLedger } from './saml.ts';
import type { SsoEntities } from './entities.ts';

export function createAssertionLedger(
  entities: Pick<SsoEntities, 'samlAssertion'>,
  connection: { tenantId: string; connectionId: string },
): AssertionLedger {
  return {
    async remember(assertionId, until) {
      const written = await ifConditionHolds(
        entities.samlAssertion
          .create({ ...connection, assertionId, expiresAt: Math.ceil(until.getTime() / 1000) })
          .go(),
      );
      return written !== undefined;
    },
  };
}
