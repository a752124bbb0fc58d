// The hourly expiry sweep against a real DynamoDB (Local): what it expires, what it leaves alone, and
// that running it again, after a full run or a crash half-way, writes no second event.
import { describe, expect, it } from 'vitest';
import { acceptInvitation } from '../../../functions/invitations/accept.ts';
import type { InvitationItem } from '../../../functions/invitations/entities.ts';
import {
  expireOverdueInvitations,
  expiryActor,
  expirySweep,
  type ExpiryDeps,
} from '../../../functions/invitations/expiry.ts';
import { invite, resend, revoke } from '../../../functions/invitations/invitations.ts';
import {
  createFixture,
  deployment,
  mailedToken,
  seedTenant,
  strongPassword,
  type Fixture,
} from './fixtures.ts';

const hour = 3_600_000;
const day = 24 * hour;
const sentAt = new Date('2026-03-01T00:00:00.000Z');
const expiryDays = deployment.identity.invitationExpiryDays;
/** An hour after the invitations sent at `sentAt` expired. */
const sweepAt = new Date(sentAt.getTime() + expiryDays * day + hour);

function sweepDeps(fixture: Fixture, overrides: Partial<ExpiryDeps> = {}): ExpiryDeps {
  return { entities: fixture.entities, store: fixture.deps.store, clock: () => sweepAt, ...overrides };
}

async function inviteAt(
  fixture: Fixture,
  at: Date,
  tenant: Awaited<ReturnType<typeof seedTenant>>,
  email: string,
) {
  fixture.setNow(at);
  return invite(fixture.deps, tenant.ownerCaller, { email, roles: ['member'] });
}

async function statusOf(fixture: Fixture, invitation: InvitationItem) {
  const { data } = await fixture.entities.invitation
    .get({ tenantId: invitation.tenantId, invitationId: invitation.invitationId })
    .go({ consistent: true });
  return data?.status;
}

/** The invitation ids of the tenant's invitation.expired events, one entry per event. */
async function expiredEventIds(fixture: Fixture, tenantId: string): Promise<string[]> {
  const { data } = await fixture.entities.event.query.byTenant({ tenantId }).go({ pages: 'all' });
  return data
    .filter((e) => e.type === 'invitation.expired')
    .map((e) => (e.data as { invitationId: string }).invitationId)
    .sort();
}

describe('the expiry sweep', () => {
  it("expires exactly the tenants' pending invitations past expiry, one event each; a second run writes nothing", async () => {
    const fixture = await createFixture();
    const a = await seedTenant(fixture);
    const b = await seedTenant(fixture);
    const overdueA = await inviteAt(fixture, sentAt, a, 'late-a@example.test');
    const accepted = await inviteAt(fixture, sentAt, a, 'joined@example.test');
    const token = await mailedToken(fixture, a.tenantId, 'joined@example.test');
    fixture.setNow(new Date(sentAt.getTime() + hour));
    await acceptInvitation(fixture.deps, { token, name: 'Joined', password: strongPassword });
    const fresh = await inviteAt(
      fixture,
      new Date(sentAt.getTime() + expiryDays * day),
      a,
      'fresh@example.test',
    );
    const overdueB1 = await inviteAt(fixture, sentAt, b, 'late-b1@example.test');
    const overdueB2 = await inviteAt(fixture, sentAt, b, 'late-b2@example.test');
    const revoked = await inviteAt(fixture, sentAt, b, 'revoked@example.test');
    await revoke(fixture.deps, b.ownerCaller, revoked.invitationId);

    const first = await expireOverdueInvitations(sweepDeps(fixture));

    expect(first).toEqual({
      tenants: 2,
      due: 3,
      expired: 3,
      changed: 0,
      failedTenants: 0,
      resumed: false,
      complete: true,
    });
    for (const invitation of [overdueA, overdueB1, overdueB2]) {
      expect(await statusOf(fixture, invitation)).toBe('expired');
    }
    expect(await statusOf(fixture, accepted)).toBe('accepted');
    expect(await statusOf(fixture, fresh)).toBe('pending');
    expect(await statusOf(fixture, revoked)).toBe('revoked');
    expect(await expiredEventIds(fixture, a.tenantId)).toEqual([overdueA.invitationId]);
    expect(await expiredEventIds(fixture, b.tenantId)).toEqual(
      [overdueB1.invitationId, overdueB2.invitationId].sort(),
    );
    const { data: events } = await fixture.entities.event.query.byTenant({ tenantId: a.tenantId }).go();
    expect(events.find((e) => e.type === 'invitation.expired')).toMatchObject({
      actor: { type: 'system', id: 'invitations' },
      data: {
        invitationId: overdueA.invitationId,
        email: 'late-a@example.test',
        expiresAt: overdueA.expiresAt,
      },
    });

    const second = await expireOverdueInvitations(sweepDeps(fixture));

    expect(second).toEqual({
      tenants: 2,
      due: 0,
      expired: 0,
      changed: 0,
      failedTenants: 0,
      resumed: false,
      complete: true,
    });
    expect(await expiredEventIds(fixture, a.tenantId)).toHaveLength(1);
    expect(await expiredEventIds(fixture, b.tenantId)).toHaveLength(2);
  });

  it('a run that crashed half-way and runs again records each expiry once', async () => {
    const fixture = await createFixture();
    const tenant = await seedTenant(fixture);
    const overdue = [
      await inviteAt(fixture, sentAt, tenant, 'one@example.test'),
      await inviteAt(fixture, sentAt, tenant, 'two@example.test'),
      await inviteAt(fixture, sentAt, tenant, 'three@example.test'),
    ];
    let writes = 0;
    const crashing = sweepDeps(fixture, {
      store: {
        expire: async (...args) => {
          writes += 1;
          if (writes > 1) throw new Error('the function was stopped');
          return fixture.deps.store.expire(...args);
        },
      },
    });

    const crashed = await expireOverdueInvitations(crashing);
    const rerun = await expireOverdueInvitations(sweepDeps(fixture));

    expect(crashed).toMatchObject({ expired: 1, failedTenants: 1 });
    expect(rerun).toMatchObject({ due: 2, expired: 2, failedTenants: 0 });
    expect(await expiredEventIds(fixture, tenant.tenantId)).toEqual(
      overdue.map((i) => i.invitationId).sort(),
    );
  });

  it('an expiry recorded by another run after this one read the invitation is not recorded again', async () => {
    const fixture = await createFixture();
    const tenant = await seedTenant(fixture);
    const read = await inviteAt(fixture, sentAt, tenant, 'raced@example.test');
    const other = await expireOverdueInvitations(sweepDeps(fixture));

    const written = await fixture.deps.store.expire(read, sweepAt, expiryActor);

    expect([other.expired, written]).toEqual([1, false]);
    expect(await expiredEventIds(fixture, tenant.tenantId)).toEqual([read.invitationId]);
  });

  it('an invitation resent after the sweep read it is left pending, with no event', async () => {
    const fixture = await createFixture();
    const tenant = await seedTenant(fixture);
    const read = await inviteAt(fixture, sentAt, tenant, 'resent@example.test');
    fixture.setNow(sweepAt);
    await resend(fixture.deps, tenant.ownerCaller, read.invitationId);

    const written = await fixture.deps.store.expire(read, sweepAt, expiryActor);

    expect(written).toBe(false);
    expect(await statusOf(fixture, read)).toBe('pending');
    expect(await expiredEventIds(fixture, tenant.tenantId)).toEqual([]);
  });

  it('a tenant whose sweep fails does not stop the others', async () => {
    const fixture = await createFixture();
    const a = await seedTenant(fixture);
    const b = await seedTenant(fixture);
    await inviteAt(fixture, sentAt, a, 'a@example.test');
    const other = await inviteAt(fixture, sentAt, b, 'b@example.test');
    const failed: string[] = [];

    const counts = await expireOverdueInvitations(
      sweepDeps(fixture, {
        store: {
          expire: (invitation, ...rest) =>
            invitation.tenantId === a.tenantId
              ? Promise.reject(new Error('unavailable'))
              : fixture.deps.store.expire(invitation, ...rest),
        },
        onTenantError: (tenantId) => failed.push(tenantId),
      }),
    );

    expect(counts).toMatchObject({ tenants: 2, expired: 1, failedTenants: 1 });
    expect(failed).toEqual([a.tenantId]);
    expect(await statusOf(fixture, other)).toBe('expired');
  });

  it('runs with time for two tenants each reach every tenant between them, going on from where the last stopped', async () => {
    const fixture = await createFixture();
    const tenants = [];
    for (const name of ['one', 'two', 'three', 'four', 'five']) {
      const tenant = await seedTenant(fixture);
      tenants.push({ tenant, invitation: await inviteAt(fixture, sentAt, tenant, `${name}@example.test`) });
    }
    /** Time for `n` tenants, then none: the run stops before the next one. */
    const timeFor = (n: number) => {
      let asked = 0;
      return () => (asked++ < n ? 60_000 : 0);
    };

    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push(await expireOverdueInvitations(sweepDeps(fixture, { remainingMillis: timeFor(2) })));
    }

    expect(runs.map((r) => [r.tenants, r.resumed, r.complete])).toEqual([
      [2, false, false],
      [2, true, false],
      [1, true, true],
    ]);
    for (const { invitation } of tenants) expect(await statusOf(fixture, invitation)).toBe('expired');
    const { data: position } = await fixture.entities.sweepPosition.get({ sweep: expirySweep }).go();
    expect(position).toBeNull();
  });
});
