// The SAML replay guard on DynamoDB (Local): an assertion id passes once, also when two requests
// race with it, and each connection keeps its own ids.
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { createSsoEntities, type SsoEntities } from '../../../functions/sso/entities.ts';
import { createAssertionLedger } from '../../../functions/sso/ledger.ts';
import { createTestTables } from '../../support/tables.ts';

let entities: SsoEntities;
const until = () => new Date(Date.now() + 5 * 60 * 1000);

beforeAll(async () => {
  entities = createSsoEntities(await createTestTables());
});

describe('the assertion ledger', () => {
  it('remembers an assertion once and keeps it until it expires', async () => {
    const connection = { tenantId: `ten_${ulid()}`, connectionId: `con_${ulid()}` };
    const ledger = createAssertionLedger(entities, connection);
    const expiry = until();
    expect(await ledger.remember('_a1', expiry)).toBe(true);
    expect(await ledger.remember('_a1', expiry)).toBe(false);
    const { data } = await entities.samlAssertion.get({ ...connection, assertionId: '_a1' }).go();
    expect(data?.expiresAt).toBe(Math.ceil(expiry.getTime() / 1000));
  });

  it('lets exactly one of ten racing requests through', async () => {
    const ledger = createAssertionLedger(entities, {
      tenantId: `ten_${ulid()}`,
      connectionId: `con_${ulid()}`,
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.remember('_race', until())));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps connections apart', async () => {
    const tenantId = `ten_${ulid()}`;
    const a = createAssertionLedger(entities, { tenantId, connectionId: `con_${ulid()}` });
    const b = createAssertionLedger(entities, { tenantId, connectionId: `con_${ulid()}` });
    expect([await a.remember('_same', until()), await b.remember('_same', until())]).toEqual([true, true]);
  });
});
