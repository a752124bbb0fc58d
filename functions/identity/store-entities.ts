// The entities the identity context's transactions span: its own items plus the tenant (its user
// count) and the outbox event, all on the main table; and the problems a cancelled transaction means.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { createWriteTransaction } from 'electrodb';
import { createDomainEntity } from '../../libs/data/domain-entity.ts';
import { createEntities } from '../../libs/data/entities.ts';
import { createIdentityEntities } from '../../libs/data/identity-entities.ts';

export function createIdentityStoreEntities(table: {
  client: DynamoDBClient;
  tableName: string;
  directoryTableName: string;
}) {
  const { tenant, event } = createEntities(table);
  return {
    tenant,
    event,
    domain: createDomainEntity(table.tableName, table.client),
    ...createIdentityEntities(table),
  };
}

export type IdentityStoreEntities = ReturnType<typeof createIdentityStoreEntities>;

/** What a transaction's builder is given: the entities' transaction-item makers. */
export type IdentityWriteEntities = Parameters<
  Parameters<typeof createWriteTransaction<IdentityStoreEntities, unknown, []>>[1]
>[0];

export type Clock = () => Date;

export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
