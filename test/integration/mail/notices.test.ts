// The endpoint-disabled notice against a real DynamoDB (Local): one mail item per active owner or
// admin, and none more when EventBridge delivers the same event again.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { notifyEndpointDisabled, type NoticeDeps } from '../../../functions/mail/notices.ts';
import { createEvent } from '../../../events/envelope.ts';
import { createEntities } from '../../../libs/data/entities.ts';
import { createIdentityEntities, type UserItem } from '../../../libs/data/identity-entities.ts';
import { mailEntity } from '../../../libs/mail/entity.ts';
import { tenantItem } from '../../support/items.ts';
import { createTestTables } from '../../support/tables.ts';
import { mailBodyOf, testMailBox } from '../../support/mail.ts';

const tenantId = 'ten_01JD000000000000000000MAIL';
let deps: NoticeDeps;

function user(email: string, roles: string[], status: UserItem['status'] = 'active'): UserItem {
  return {
    tenantId,
    userId: randomUUID(),
    email,
    emailVerified: true,
    name: email,
    roles,
    status,
    mfaEnrolled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

beforeAll(async () => {
  const tables = await createTestTables();
  const table = { client: tables.client, tableName: tables.tableName };
  deps = {
    entities: {
      tenant: createEntities({ ...table, directoryTableName: tables.directoryTableName }).tenant,
      user: createIdentityEntities(table).user,
      mail: mailEntity(tables.tableName, tables.client),
    },
    consoleUrl: 'https://console.example.test',
    mailBox: testMailBox,
  };
  await deps.entities.tenant.create(tenantItem({ tenantId, name: 'Acme' })).go();
  await deps.entities.user
    .put([
      user('owner@example.test', ['owner']),
      user('admin@example.test', ['admin', 'billing']),
      user('gone-admin@example.test', ['admin'], 'deactivated'),
      user('member@example.test', ['member']),
    ])
    .go();
});

const disabled = createEvent(
  'endpoint.disabled',
  tenantId,
  { type: 'system', id: 'webhooks' },
  {
    endpointId: 'wh_1',
    url: 'https://hooks.example.test/in',
    reason: 'failing',
    failingSince: '2026-02-01T00:00:00.000Z',
  },
);

describe('endpoint disabled notice', () => {
  it("mails the tenant's active owners and admins once, even when the event comes twice", async () => {
    const first = await notifyEndpointDisabled(disabled, deps);
    const second = await notifyEndpointDisabled(disabled, deps);

    const { data: mails } = await deps.entities.mail.query.byTenant({ tenantId }).go();
    expect([first, second]).toEqual([2, 2]);
    expect(mails.map((m) => m.to).sort()).toEqual(['admin@example.test', 'owner@example.test']);
    expect(mailBodyOf(mails[0]!).text).toContain('https://hooks.example.test/in');
    expect(mailBodyOf(mails[0]!).text).toContain('https://console.example.test/webhooks');
  });

  it('a tenant that no longer exists gets no mail', async () => {
    const gone = { ...disabled, id: 'ev_gone', tenantId: 'ten_01JD00000000000000000GONE' };

    expect(await notifyEndpointDisabled(gone, deps)).toBe(0);
  });
});
