// The identity entities address the same items as the key templates the authorizer reads without
// ElectroDB, and keep email lookups in the tenant's own index partition.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createIdentityEntities } from '../../../libs/data/identity-entities.ts';
import { fillKey, primaryKeys } from '../../../libs/data/primary-keys.ts';

const entities = createIdentityEntities({
  client: new DynamoDBClient({ region: 'us-east-1' }),
  tableName: 't',
});
const tenantId = 'ten_01JD0000000000000000000000';
const userId = '8f3c2a1e-5b7d-4e21-9c0a-2d6f4b8e1a37';

/** The parts of DynamoDB request parameters these tests read. */
interface Params {
  Key?: Record<string, unknown>;
  IndexName?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

function keyOf(template: { pk: string; sk: string }, values: Record<string, string>) {
  return { pk: fillKey(template.pk, values), sk: fillKey(template.sk, values) };
}

describe('identity entities', () => {
  it('build the primary keys the authorizer reads', () => {
    const sessionId = 'c0ffee00-1111-4222-8333-444455556666';
    const roleId = 'role_01JD0000000000000000000001';

    expect(entities.user.get({ tenantId, userId }).params<Params>().Key).toEqual(
      keyOf(primaryKeys.user, { tenantId, userId }),
    );
    expect(entities.role.get({ tenantId, roleId }).params<Params>().Key).toEqual(
      keyOf(primaryKeys.role, { tenantId, roleId }),
    );
    expect(entities.session.get({ tenantId, userId, sessionId }).params<Params>().Key).toEqual(
      keyOf(primaryKeys.session, { tenantId, userId, sessionId }),
    );
    expect(entities.identitySettings.get({ tenantId }).params<Params>().Key).toEqual(
      keyOf(primaryKeys.identitySettings, { tenantId }),
    );
  });

  it("search by email prefix stays in the tenant's own partition of the users index", () => {
    const params = entities.user.query.byEmail({ tenantId }).begins({ email: 'ann' }).params<Params>();

    expect(params).toMatchObject({
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':pk': `T#${tenantId}#USERS`, ':sk1': 'ann' },
    });
  });

  it("a user's sessions are read with a prefix that ends at their id, not at a longer id sharing it", () => {
    const params = entities.session.query.byUser({ tenantId, userId }).params<Params>();

    expect(params.ExpressionAttributeValues).toMatchObject({ ':sk1': `SESS#${userId}#` });
  });
});
