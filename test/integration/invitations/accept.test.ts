// Accepting invitations against a real DynamoDB (Local): the user, the seat and the events in one
// transaction, every refused token with its own problem, and no user pool user left behind.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acceptInvitation } from '../../../functions/invitations/accept.ts';
import { invite, requireInvitation, resend, revoke } from '../../../functions/invitations/invitations.ts';
import {
  createFixture,
  problemOf,
  eventTypes,
  mailedToken,
  mailedTokens,
  seedTenant,
  starterUsers,
  strongPassword,
  type Fixture,
} from './fixtures.ts';

let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture();
});

afterEach(() => {
  fixture.setNow(undefined);
  fixture.pool.afterCreate = undefined;
});

async function invited(email: string, roles = ['member'], tenant?: Awaited<ReturnType<typeof seedTenant>>) {
  const t = tenant ?? (await seedTenant(fixture));
  const invitation = await invite(fixture.deps, t.ownerCaller, { email, roles });
  const token = await mailedToken(fixture, t.tenantId, email.toLowerCase());
  return { ...t, invitation, token };
}

const accept = (token: string, name = 'Ada Lovelace') =>
  acceptInvitation(fixture.deps, { token, name, password: strongPassword });

describe('accepting an invitation', () => {
  it('creates the user with the invited roles and a verified email, takes a seat and emits both events', async () => {
    const { tenantId, invitation, token } = await invited('Ada@Example.test', ['admin', 'billing']);

    const { user } = await accept(token);

    const [stored, tenant, after] = await Promise.all([
      fixture.entities.user.get({ tenantId, userId: user.userId }).go(),
      fixture.entities.tenant.get({ tenantId }).go(),
      fixture.entities.invitation.get({ tenantId, invitationId: invitation.invitationId }).go(),
    ]);
    expect(stored.data).toMatchObject({
      email: 'ada@example.test',
      emailVerified: true,
      name: 'Ada Lovelace',
      roles: ['admin', 'billing'],
      status: 'active',
    });
    expect(fixture.pool.users.get(user.userId)).toMatchObject({
      email: 'ada@example.test',
      emailVerified: true,
      tenantId,
      password: strongPassword,
    });
    expect(tenant.data?.activeUsers).toBe(2);
    expect(after.data).toMatchObject({ status: 'accepted', acceptedUserId: user.userId });
    expect(await eventTypes(fixture, tenantId)).toEqual(
      expect.arrayContaining(['invitation.created', 'invitation.accepted', 'user.created']),
    );
  });

  it('a token used once is refused with invitation_used the second time', async () => {
    const { token } = await invited('twice@example.test');
    await accept(token);

    const problem = await problemOf(accept(token));

    expect([problem.status, problem.code]).toEqual([409, 'invitation_used']);
  });

  it('an expired invitation is refused with invitation_expired and recorded as expired once', async () => {
    const { tenantId, invitation, token } = await invited('late@example.test');
    fixture.setNow(new Date(Date.parse(invitation.expiresAt) + 1000));

    const first = await problemOf(accept(token));
    const second = await problemOf(accept(token));

    expect([first.code, second.code]).toEqual(['invitation_expired', 'invitation_expired']);
    const stored = await fixture.entities.invitation
      .get({ tenantId, invitationId: invitation.invitationId })
      .go();
    expect(stored.data?.status).toBe('expired');
    expect((await eventTypes(fixture, tenantId)).filter((t) => t === 'invitation.expired')).toHaveLength(1);
  });

  it('a revoked invitation is refused with invitation_revoked', async () => {
    const { invitation, token, ownerCaller } = await invited('revoked@example.test');
    await revoke(fixture.deps, ownerCaller, invitation.invitationId);

    expect((await problemOf(accept(token))).code).toBe('invitation_revoked');
  });

  it('an unknown token is a 404 invitation_not_found', async () => {
    const problem = await problemOf(accept(`pit_${'A'.repeat(43)}`));

    expect([problem.status, problem.code]).toEqual([404, 'invitation_not_found']);
  });

  it('after a resend the old token matches nothing and the new one works', async () => {
    const { tenantId, invitation, token: old, ownerCaller } = await invited('resent@example.test');

    await resend(fixture.deps, ownerCaller, invitation.invitationId);
    const fresh = (await mailedTokens(fixture, tenantId, 'resent@example.test')).find((t) => t !== old)!;

    expect((await problemOf(accept(old))).code).toBe('invitation_not_found');
    expect((await accept(fresh)).user.email).toBe('resent@example.test');
  });

  it('a full plan is 409 plan_limit_reached before the user pool is touched', async () => {
    const tenant = await seedTenant(fixture, { activeUsers: starterUsers });
    const { token } = await invited('full@example.test', ['member'], tenant);
    const poolSize = fixture.pool.users.size;

    const problem = await problemOf(accept(token));

    expect([problem.status, problem.code]).toEqual([409, 'plan_limit_reached']);
    expect(fixture.pool.users.size).toBe(poolSize);
  });

  it('a seat taken while accepting fails the transaction with plan_limit_reached and deletes the new pool user', async () => {
    const tenant = await seedTenant(fixture, { activeUsers: starterUsers - 1 });
    const { tenantId, invitation, token } = await invited('race@example.test', ['member'], tenant);
    fixture.pool.afterCreate = () =>
      fixture.entities.tenant
        .patch({ tenantId })
        .set({ activeUsers: starterUsers })
        .go()
        .then(() => undefined);

    const problem = await problemOf(accept(token));

    expect(problem.code).toBe('plan_limit_reached');
    expect([...fixture.pool.users.values()].some((u) => u.email === 'race@example.test')).toBe(false);
    const users = await fixture.entities.user.query.byEmail({ tenantId, email: 'race@example.test' }).go();
    expect(users.data).toHaveLength(0);
    const stored = await fixture.entities.invitation
      .get({ tenantId, invitationId: invitation.invitationId })
      .go();
    expect(stored.data?.status).toBe('pending');
  });
});

describe('invitations across tenants', () => {
  it("another tenant's invitation id is a 404 for reading, resending and revoking, and stays as it was", async () => {
    const { tenantId, invitation } = await invited('theirs@example.test');
    const other = await seedTenant(fixture);

    const problems = await Promise.all([
      problemOf(requireInvitation(fixture.deps, other.tenantId, invitation.invitationId)),
      problemOf(resend(fixture.deps, other.ownerCaller, invitation.invitationId)),
      problemOf(revoke(fixture.deps, other.ownerCaller, invitation.invitationId)),
    ]);

    expect(problems.map((p) => [p.status, p.code])).toEqual(Array(3).fill([404, 'not_found']));
    const stored = await fixture.entities.invitation
      .get({ tenantId, invitationId: invitation.invitationId })
      .go();
    expect(stored.data).toEqual(invitation);
  });
});
