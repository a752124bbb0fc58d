// One person, several tenants, in the table: a user item per tenant under the same pool `sub`, listed
// by `membershipsOf`, and the migration that gives users written before it their gsi2 keys.
import { randomUUID } from 'node:crypto';
import {
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIdentityStore, type IdentityStore } from '../../../functions/identity/store.ts';
import { runMigrations } from '../../../libs/data/migrations.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { createIdentityTables, seedTenant, seedUser, type IdentityTables } from './seed.ts';

let tables: IdentityTables;
let store: IdentityStore;

beforeAll(async () => {
  tables = await createIdentityTables();
  store = createIdentityStore(tables.entities, () => new Date());
});

const keyOf = (user: UserItem) => ({ pk: { S: `T#${user.tenantId}` }, sk: { S: `USER#${user.userId}` } });

/** Takes the gsi2 keys off a user item, as a release before memberships wrote it. */
async function asWrittenBefore(user: UserItem) {
  await tables.client.send(
    new UpdateItemCommand({
      TableName: tables.tableName,
      Key: keyOf(user),
      UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
    }),
  );
}

describe('memberships of one person', () => {
  it('lists every tenant a person is a user of, and no one else', async () => {
    const person = randomUUID();
    const [a, b, c] = [await seedTenant(tables), await seedTenant(tables), await seedTenant(tables)];
    await seedUser(tables, a, { userId: person, email: 'ada@acme.test' });
    await seedUser(tables, b, { userId: person, email: 'ada@acme.test', roles: ['admin'] });
    await seedUser(tables, c, { email: 'someone@acme.test' });

    const memberships = await store.membershipsOf(person);
    expect(memberships.map((m) => m.tenantId).sort()).toEqual([a.tenantId, b.tenantId].sort());
    expect(memberships.find((m) => m.tenantId === b.tenantId)?.roles).toEqual(['admin']);
    expect(await store.membershipsOf(randomUUID())).toEqual([]);
  });

  it('the migration gives older users their membership keys, once, without touching anything else', async () => {
    const person = randomUUID();
    const [a, b] = [await seedTenant(tables), await seedTenant(tables)];
    const first = await seedUser(tables, a, { userId: person });
    const second = await seedUser(tables, b, { userId: person });
    await asWrittenBefore(first);
    await asWrittenBefore(second);
    expect(await store.membershipsOf(person)).toEqual([]);

    const pages: number[] = [];
    const [run] = await runMigrations(tables.client, tables.tableName, (p) => pages.push(p.updated));
    expect(run).toMatchObject({ migration: 'user-person-index', updated: 2 });
    expect(pages.at(-1)).toBe(2);
    expect((await store.membershipsOf(person)).map((m) => m.tenantId).sort()).toEqual(
      [a.tenantId, b.tenantId].sort(),
    );
    expect(await store.getUser(a.tenantId, person)).toEqual(first);

    const [again] = await runMigrations(tables.client, tables.tableName);
    expect(again?.updated).toBe(0);
  });

  it('the migration skips a user deleted between its read and its write rather than writing a fragment back', async () => {
    const tenant = await seedTenant(tables);
    const user = await seedUser(tables, tenant);
    await asWrittenBefore(user);
    // The user goes after the scan has seen them and before the migration's update reaches them.
    const racing = {
      send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
        const output = await tables.client.send(command);
        if (command instanceof ScanCommand) {
          await tables.entities.user.delete({ tenantId: tenant.tenantId, userId: user.userId }).go();
        }
        return output;
      },
    } as unknown as DynamoDBClient;
    await runMigrations(racing, tables.tableName);
    const { Item } = await tables.client.send(
      new GetItemCommand({ TableName: tables.tableName, Key: keyOf(user), ConsistentRead: true }),
    );
    expect(Item).toBeUndefined();
  });
});
