// A new tenant's owner invitation, written in the tenant's creating transaction as the tenants
// context does, and accepted like any other: the first user of the tenant is its owner.
import { createWriteTransaction } from 'electrodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptInvitation } from '../../../functions/invitations/accept.ts';
import { ownerInvitationWrites } from '../../../functions/invitations/owner.ts';
import { tenantItem } from '../../support/items.ts';
import { createFixture, mailedToken, newTenantId, strongPassword, type Fixture } from './fixtures.ts';
import { mailBodyOf, testMailBox } from '../../support/mail.ts';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture();
});

describe('owner invitation of a new tenant', () => {
  it('is written with the tenant in one transaction and accepting it makes the first user an owner', async () => {
    const tenantId = newTenantId();
    const now = new Date();
    const owner = ownerInvitationWrites({
      tenantId,
      email: 'Founder@Example.test',
      name: 'Grace',
      now,
      expiryDays: 7,
      consoleUrl: 'https://console.example.test',
      mailBox: testMailBox,
      tenantName: 'Hopper Inc',
      actor: { type: 'platform_admin', id: 'key_admin' },
    });
    await createWriteTransaction(fixture.entities, (e) => [
      e.tenant.create(tenantItem({ tenantId, slug: 'hopper', name: 'Hopper Inc', activeUsers: 0 })).commit(),
      e.invitation.create(owner.invitation).commit(),
      e.mail.create(owner.mail).commit(),
      e.event.create(owner.event).commit(),
    ]).go();

    const token = await mailedToken(fixture, tenantId, 'founder@example.test');
    const { user } = await acceptInvitation(fixture.deps, {
      token,
      name: 'Grace Hopper',
      password: strongPassword,
    });

    expect(mailBodyOf(owner.mail).text).toContain('Hello Grace,');
    expect(mailBodyOf(owner.mail).text).toContain('https://console.example.test/accept?token=');
    expect(user).toMatchObject({ tenantId, email: 'founder@example.test', roles: ['owner'] });
    expect((await fixture.entities.tenant.get({ tenantId }).go()).data?.activeUsers).toBe(1);
  });
});
