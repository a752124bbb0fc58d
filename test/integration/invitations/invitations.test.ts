// Inviting, replacing, listing and revoking against a real DynamoDB (Local).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { invite, resend, revoke } from '../../../functions/invitations/invitations.ts';
import {
  apiKeyCaller,
  createFixture,
  problemOf,
  seedRole,
  eventTypes,
  mailsTo,
  seedTenant,
  seedUser,
  userCaller,
  type Fixture,
} from './fixtures.ts';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture();
});

afterEach(() => fixture.setNow(undefined));

describe('inviting', () => {
  it('writes the invitation with only a token hash, a mail with the accept link, and invitation.created', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);

    const invitation = await invite(fixture.deps, ownerCaller, {
      email: 'new@example.test',
      roles: ['member'],
    });

    const [mail] = await mailsTo(fixture, tenantId, 'new@example.test');
    const token = /^pit_[A-Za-z0-9_-]{43}$/m.exec(mail!.text)?.[0];
    expect(mail!.text).toContain(`http://localhost:5173/accept?token=${token}`);
    expect(JSON.stringify(invitation)).not.toContain(token!);
    expect(invitation).toMatchObject({
      status: 'pending',
      roles: ['member'],
      invitedBy: `user:${ownerCaller.principalId}`,
    });
    expect(await eventTypes(fixture, tenantId)).toEqual(['invitation.created']);
  });

  it('an existing member is a 409 already_member and nothing is written', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    await seedUser(fixture, tenantId, { email: 'member@example.test' });

    const problem = await problemOf(
      invite(fixture.deps, ownerCaller, { email: 'Member@Example.test', roles: ['member'] }),
    );

    expect([problem.status, problem.code]).toEqual([409, 'already_member']);
    expect(await mailsTo(fixture, tenantId, 'member@example.test')).toHaveLength(0);
  });

  it('a pending invitation for the same email is a 409 already_invited, and nothing is written', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const first = await invite(fixture.deps, ownerCaller, { email: 'twice@example.test', roles: ['admin'] });

    const problem = await problemOf(
      invite(fixture.deps, ownerCaller, { email: 'Twice@example.test', roles: ['member'] }),
    );

    expect([problem.status, problem.code, problem.extensions?.invitationId]).toEqual([
      409,
      'already_invited',
      first.invitationId,
    ]);
    const sent = await fixture.deps.store.invitationsForEmail(tenantId, 'twice@example.test');
    expect(sent.map((i) => [i.status, i.roles])).toEqual([['pending', ['admin']]]);
    expect(await mailsTo(fixture, tenantId, 'twice@example.test')).toHaveLength(1);
  });

  it('a pending invitation past its expiry is replaced without asking', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    fixture.setNow(new Date(Date.now() - 30 * 86_400_000));
    const old = await invite(fixture.deps, ownerCaller, { email: 'late@example.test', roles: ['member'] });
    fixture.setNow(undefined);

    const fresh = await invite(fixture.deps, ownerCaller, { email: 'late@example.test', roles: ['member'] });

    expect((await fixture.deps.store.getInvitation(tenantId, old.invitationId))?.status).toBe('expired');
    expect(fresh.status).toBe('pending');
  });

  it('with replacePending, a pending invitation for the same email is replaced: revoked with reason replaced', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const first = await invite(fixture.deps, ownerCaller, { email: 'again@example.test', roles: ['member'] });

    const second = await invite(fixture.deps, ownerCaller, {
      email: 'again@example.test',
      roles: ['auditor'],
      replacePending: true,
    });

    const old = await fixture.deps.store.getInvitation(tenantId, first.invitationId);
    expect(old?.status).toBe('revoked');
    const { data: events } = await fixture.entities.event.query.byTenant({ tenantId }).go();
    const revoked = events.find((e) => e.type === 'invitation.revoked');
    expect(revoked?.data).toEqual({
      invitationId: first.invitationId,
      email: 'again@example.test',
      reason: 'replaced',
    });
    const created = events.find(
      (e) =>
        e.type === 'invitation.created' &&
        (e.data as { invitation: { id: string } }).invitation.id === second.invitationId,
    );
    expect(created?.data).toMatchObject({ replacedInvitationId: first.invitationId });
  });

  it('an unknown role is a 400 naming the field, and only an owner may invite an owner', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const admin = await seedUser(fixture, tenantId, { email: 'admin@example.test', roles: ['admin'] });

    const unknown = await problemOf(
      invite(fixture.deps, ownerCaller, {
        email: 'x@example.test',
        roles: ['member', 'role_01JD0000000000000000000000'],
      }),
    );
    const byAdmin = await problemOf(
      invite(fixture.deps, userCaller(admin), { email: 'y@example.test', roles: ['owner'] }),
    );
    const byOwner = await invite(fixture.deps, ownerCaller, { email: 'z@example.test', roles: ['owner'] });

    expect(unknown.errors).toEqual([expect.objectContaining({ path: 'body.roles.1', code: 'unknown_role' })]);
    expect([byAdmin.status, byAdmin.code]).toEqual([403, 'owner_role_required']);
    expect(byOwner.roles).toEqual(['owner']);
  });

  it('a custom role of the tenant can be granted', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const roleId = 'role_01JD00000000000000000000CR';
    await fixture.entities.role
      .create({
        tenantId,
        roleId,
        name: 'Support',
        permissions: ['users:read'],
        createdAt: 'x',
        updatedAt: 'x',
      })
      .go();

    const invitation = await invite(fixture.deps, ownerCaller, {
      email: 'support@example.test',
      roles: [roleId],
    });

    expect(invitation.roles).toEqual([roleId]);
  });
});

describe('listing, resending and revoking', () => {
  it('lists newest first by status as read, a pending invitation past expiry counting as expired', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const now = Date.now();
    fixture.setNow(new Date(now - 30 * 86_400_000));
    const old = await invite(fixture.deps, ownerCaller, { email: 'old@example.test', roles: ['member'] });
    fixture.setNow(new Date(now));
    const revoked = await invite(fixture.deps, ownerCaller, {
      email: 'gone@example.test',
      roles: ['member'],
    });
    await revoke(fixture.deps, ownerCaller, revoked.invitationId);
    const a = await invite(fixture.deps, ownerCaller, { email: 'a@example.test', roles: ['member'] });
    // Ids order by millisecond; within one, their order is random.
    fixture.setNow(new Date(now + 1));
    const b = await invite(fixture.deps, ownerCaller, { email: 'b@example.test', roles: ['member'] });
    const at = new Date(now + 1000);
    const ids = async (status?: 'pending' | 'expired' | 'revoked') =>
      (await fixture.deps.store.listInvitations(tenantId, status, { limit: 10 }, at)).items.map(
        (i) => i.invitationId,
      );

    expect(await ids('pending')).toEqual([b.invitationId, a.invitationId]);
    expect(await ids('expired')).toEqual([old.invitationId]);
    expect(await ids('revoked')).toEqual([revoked.invitationId]);
    expect(await ids()).toHaveLength(4);

    const first = await fixture.deps.store.listInvitations(tenantId, 'pending', { limit: 1 }, at);
    const second = await fixture.deps.store.listInvitations(
      tenantId,
      'pending',
      { limit: 1, position: first.position ?? undefined },
      at,
    );
    expect([...first.items, ...second.items].map((i) => i.invitationId)).toEqual([
      b.invitationId,
      a.invitationId,
    ]);
  });

  it('resending gives a new expiry and mail; resending an accepted one is 409 invitation_used', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const invitation = await invite(fixture.deps, ownerCaller, {
      email: 'r@example.test',
      roles: ['member'],
    });
    fixture.setNow(new Date(Date.now() + 86_400_000));

    const resent = await resend(fixture.deps, ownerCaller, invitation.invitationId);
    await fixture.entities.invitation
      .patch({ tenantId, invitationId: invitation.invitationId })
      .set({ status: 'accepted' })
      .go();
    const problem = await problemOf(resend(fixture.deps, ownerCaller, invitation.invitationId));

    expect(resent.expiresAt > invitation.expiresAt).toBe(true);
    expect(resent.tokenHash).not.toBe(invitation.tokenHash);
    expect(await mailsTo(fixture, tenantId, 'r@example.test')).toHaveLength(2);
    expect((await eventTypes(fixture, tenantId)).filter((t) => t === 'invitation.resent')).toHaveLength(1);
    expect(problem.code).toBe('invitation_used');
  });

  it('revoking twice changes nothing the second time; revoking an accepted one is 409', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const invitation = await invite(fixture.deps, ownerCaller, {
      email: 'v@example.test',
      roles: ['member'],
    });

    const once = await revoke(fixture.deps, ownerCaller, invitation.invitationId);
    const twice = await revoke(fixture.deps, ownerCaller, invitation.invitationId);
    const accepted = await invite(fixture.deps, ownerCaller, { email: 'w@example.test', roles: ['member'] });
    await fixture.entities.invitation
      .patch({ tenantId, invitationId: accepted.invitationId })
      .set({ status: 'accepted' })
      .go();

    expect([once.status, twice.status]).toEqual(['revoked', 'revoked']);
    expect((await eventTypes(fixture, tenantId)).filter((t) => t === 'invitation.revoked')).toHaveLength(1);
    expect((await problemOf(revoke(fixture.deps, ownerCaller, accepted.invitationId))).code).toBe(
      'invitation_used',
    );
  });
});

describe('nobody invites with a role carrying permissions they do not hold', () => {
  it('an API key holding only invitations:write cannot invite an admin: 403 naming what it lacks, nothing written', async () => {
    const { tenantId } = await seedTenant(fixture);

    const problem = await problemOf(
      invite(fixture.deps, apiKeyCaller(tenantId, ['invitations:write']), {
        email: 'boss@example.test',
        roles: ['admin'],
      }),
    );

    expect([problem.status, problem.code]).toEqual([403, 'permission_not_held']);
    expect(problem.extensions?.permissions).toEqual(
      expect.arrayContaining(['api-keys:write', 'webhooks:secrets']),
    );
    expect(await fixture.deps.store.invitationsForEmail(tenantId, 'boss@example.test')).toHaveLength(0);
    expect(await eventTypes(fixture, tenantId)).toEqual([]);
  });

  it('a custom-role user cannot grant a role beyond their own permissions, but can grant one within them', async () => {
    const { tenantId } = await seedTenant(fixture);
    const recruiter = await seedRole(fixture, tenantId, ['invitations:write', 'tenant:read', 'users:read']);
    const secrets = await seedRole(fixture, tenantId, ['webhooks:secrets']);
    const user = await seedUser(fixture, tenantId, { email: 'rec@example.test', roles: [recruiter.roleId] });
    const caller = userCaller(user, [recruiter]);

    const refused = await problemOf(
      invite(fixture.deps, caller, { email: 'x@example.test', roles: ['member', secrets.roleId] }),
    );
    const member = await invite(fixture.deps, caller, { email: 'm@example.test', roles: ['member'] });

    expect([refused.status, refused.code]).toEqual([403, 'permission_not_held']);
    expect(refused.extensions?.permissions).toEqual(['webhooks:secrets']);
    expect(await fixture.deps.store.invitationsForEmail(tenantId, 'x@example.test')).toHaveLength(0);
    expect(member.roles).toEqual(['member']);
  });

  it('resending re-checks the roles the invitation carries against whoever resends it', async () => {
    const { tenantId, ownerCaller } = await seedTenant(fixture);
    const invitation = await invite(fixture.deps, ownerCaller, {
      email: 'adm@example.test',
      roles: ['admin'],
    });
    const key = apiKeyCaller(tenantId, ['invitations:write']);

    const refused = await problemOf(resend(fixture.deps, key, invitation.invitationId));
    const resent = await resend(fixture.deps, ownerCaller, invitation.invitationId);

    expect([refused.status, refused.code]).toEqual([403, 'permission_not_held']);
    expect(resent.tokenHash).not.toBe(invitation.tokenHash);
    expect((await eventTypes(fixture, tenantId)).filter((t) => t === 'invitation.resent')).toHaveLength(1);
    expect(await mailsTo(fixture, tenantId, 'adm@example.test')).toHaveLength(2);
  });
});
