// Access patterns of the invitations context. Every mutation is one transaction with its outbox
// event (and, where a message is due, its mail item); conditions guard against concurrent changes.
import { createConversions, createWriteTransaction } from 'electrodb';
import type { EventItem, JobItem, TenantItem } from '../../libs/data/entities.ts';
import { readFilteredPage } from '../../libs/data/filtered-page.ts';
import type { IdentitySettingsItem, RoleItem, UserItem } from '../../libs/data/identity-entities.ts';
import {
  concurrentUpdate,
  eventItem,
  rejectedIndexes,
  type Actor,
  type Page,
  type PageRequest,
  transactionConflict,
  writeWithEvent,
} from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import type { InvitationEntities, InvitationItem, InvitationStatus } from './entities.ts';
import { effectiveStatus } from './policy.ts';
import type { InvitationWrites } from './writes.ts';

export function createInvitationStore(entities: InvitationEntities) {
  const invitationCursor = createConversions(entities.invitation).byAccessPattern.byId.fromComposite;
  async function getTenant(tenantId: string): Promise<TenantItem | undefined> {
    const { data } = await entities.tenant.get({ tenantId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function getSettings(tenantId: string): Promise<IdentitySettingsItem | undefined> {
    const { data } = await entities.identitySettings.get({ tenantId }).go();
    return data ?? undefined;
  }

  async function getUser(tenantId: string, userId: string): Promise<UserItem | undefined> {
    const { data } = await entities.user.get({ tenantId, userId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** The tenant's user with exactly this (lower-cased) email, if any. */
  async function memberByEmail(tenantId: string, email: string): Promise<UserItem | undefined> {
    const { data } = await entities.user.query.byEmail({ tenantId, email }).go({ pages: 'all' });
    return data.find((u) => u.email === email);
  }

  /** Those of these custom role ids that exist in the tenant, with their permissions. */
  async function customRoles(tenantId: string, roleIds: readonly string[]): Promise<RoleItem[]> {
    if (roleIds.length === 0) return [];
    const { data } = await entities.role.get(roleIds.map((roleId) => ({ tenantId, roleId }))).go();
    return data;
  }

  async function getInvitation(tenantId: string, invitationId: string): Promise<InvitationItem | undefined> {
    const { data } = await entities.invitation.get({ tenantId, invitationId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function findByTokenHash(tokenHash: string): Promise<InvitationItem | undefined> {
    const { data } = await entities.invitation.query.byToken({ tokenHash }).go();
    return data[0];
  }

  /** Every invitation the tenant ever sent to this (lower-cased) email. */
  async function invitationsForEmail(tenantId: string, email: string): Promise<InvitationItem[]> {
    const { data } = await entities.invitation.query.byEmail({ tenantId, email }).go({ pages: 'all' });
    return data.filter((i) => i.email === email);
  }

  /** Newest first; `status` is the status as read, so `expired` includes pending ones past expiry. */
  async function listInvitations(
    tenantId: string,
    status: InvitationStatus | undefined,
    page: PageRequest,
    now: Date,
  ): Promise<Page<InvitationItem>> {
    const at = now.toISOString();
    const query = entities.invitation.query.byId({ tenantId });
    const filtered =
      status === undefined
        ? query
        : query.where((a, op) => {
            switch (status) {
              case 'pending':
                return `${op.eq(a.status, 'pending')} AND ${op.gt(a.expiresAt, at)}`;
              case 'expired':
                return `${op.eq(a.status, 'expired')} OR (${op.eq(a.status, 'pending')} AND ${op.lte(a.expiresAt, at)})`;
              case 'accepted':
                return op.eq(a.status, 'accepted');
              case 'revoked':
                return op.eq(a.status, 'revoked');
            }
          });
    // A filtered page reads a bounded number of invitations and may come back short, with a cursor.
    return readFilteredPage(
      (read) => filtered.go({ ...read, order: 'desc' }),
      (i) => invitationCursor.toCursor(i),
      page,
    );
  }

  /** Writes a new invitation; a stored-pending one for the same email is revoked (or expired) with it. */
  async function createInvitation(
    writes: InvitationWrites,
    replaced: InvitationItem | undefined,
    actor: Actor,
  ) {
    const now = new Date(writes.invitation.createdAt);
    const retire = replaced ? retirement(replaced, now, actor, 'replaced') : undefined;
    const result = await createWriteTransaction(entities, (e) => [
      e.invitation.create(writes.invitation).commit(),
      e.mail.create(writes.mail).commit(),
      e.event.create(writes.event).commit(),
      ...(replaced && retire
        ? [
            e.invitation
              .patch({ tenantId: replaced.tenantId, invitationId: replaced.invitationId })
              .set({ status: retire.status, updatedAt: now.toISOString(), ...retire.set })
              .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.tokenHash, replaced.tokenHash)}`)
              .commit(),
            e.event.create(retire.event).commit(),
          ]
        : []),
    ]).go();
    if (result.canceled) throw concurrentUpdate();
  }

  /** The new token and expiry of a still-pending invitation, its mail and invitation.resent. */
  async function resend(current: InvitationItem, writes: InvitationWrites) {
    const next = writes.invitation;
    await writeWithEvent(entities, writes.event, (e) => [
      e.invitation
        .patch({ tenantId: current.tenantId, invitationId: current.invitationId })
        .set({ tokenHash: next.tokenHash, expiresAt: next.expiresAt, updatedAt: next.updatedAt })
        .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.tokenHash, current.tokenHash)}`)
        .commit(),
      e.mail.create(writes.mail).commit(),
    ]);
  }

  /** Moves a stored-pending invitation to revoked, or to expired when it is past its expiry. */
  async function retire(current: InvitationItem, now: Date, actor: Actor): Promise<InvitationItem> {
    const change = retirement(current, now, actor, 'revoked');
    if (!(await leavePending(current, change, now))) throw concurrentUpdate();
    return { ...current, status: change.status, updatedAt: now.toISOString(), ...change.set };
  }

  /**
   * Records that a stored-pending invitation passed its expiry, with its invitation.expired. False
   * when it is not past expiry, or changed since it was read (accepted, revoked, resent, or its
   * expiry already recorded), so an expiry is never recorded twice.
   */
  async function expire(current: InvitationItem, now: Date, actor: Actor): Promise<boolean> {
    if (current.status !== 'pending' || effectiveStatus(current, now) !== 'expired') return false;
    return leavePending(current, expiry(current, now, actor), now);
  }

  /** One transaction: the invitation leaves pending (if still pending with the token read) and its event. */
  async function leavePending(current: InvitationItem, change: Retirement, now: Date): Promise<boolean> {
    const result = await createWriteTransaction(entities, (e) => [
      e.invitation
        .patch({ tenantId: current.tenantId, invitationId: current.invitationId })
        .set({ status: change.status, updatedAt: now.toISOString(), ...change.set })
        .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.tokenHash, current.tokenHash)}`)
        .commit(),
      e.event.create(change.event).commit(),
    ]).go();
    return !result.canceled;
  }

  /** The accepting transaction: user, invitation, the tenant's seat count under the plan's limit, events. */
  async function accept(input: {
    invitation: InvitationItem;
    user: UserItem;
    userLimit: number;
    now: Date;
  }): Promise<void> {
    const { invitation, user, userLimit, now } = input;
    const actor = { type: 'user', id: user.userId };
    const at = now.toISOString();
    const accepted = eventItem(
      invitation.tenantId,
      actor,
      'invitation.accepted',
      {
        invitationId: invitation.invitationId,
        email: invitation.email,
        userId: user.userId,
        roles: user.roles,
      },
      now,
    );
    const created = eventItem(
      invitation.tenantId,
      actor,
      'user.created',
      {
        user: { id: user.userId, email: user.email, name: user.name, roles: user.roles, status: user.status },
        invitationId: invitation.invitationId,
      },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.user.create(user).commit(),
      e.invitation
        .patch({ tenantId: invitation.tenantId, invitationId: invitation.invitationId })
        .set({ status: 'accepted', acceptedUserId: user.userId, acceptedAt: at, updatedAt: at })
        .where(
          (a, op) =>
            `${op.eq(a.status, 'pending')} AND ${op.eq(a.tokenHash, invitation.tokenHash)} AND ${op.gt(a.expiresAt, at)}`,
        )
        .commit(),
      // The plan's user limit is checked in the same transaction that takes the seat.
      e.tenant
        .update({ tenantId: invitation.tenantId })
        .add({ activeUsers: 1 })
        .where((a, op) => `${op.exists(a.tenantId)} AND ${op.lt(a.activeUsers, userLimit)}`)
        .commit(),
      e.event.create(accepted).commit(),
      e.event.create(created).commit(),
    ]).go();
    if (!result.canceled) return;
    const rejected = rejectedIndexes(result.data);
    if (rejected.includes(1)) throw new InvitationChanged();
    if (rejected.includes(2)) {
      throw problems.conflict('plan_limit_reached', `The tenant's plan allows ${userLimit} users.`, {
        limit: userLimit,
        resource: 'users',
      });
    }
    throw transactionConflict('The invitation could not be accepted');
  }

  /** A job item alone: the jobs context queues it from the stream; its rows write their own events. */
  async function createJob(job: JobItem): Promise<void> {
    await entities.job.create(job).go();
  }

  return {
    getTenant,
    getSettings,
    getUser,
    memberByEmail,
    customRoles,
    getInvitation,
    findByTokenHash,
    invitationsForEmail,
    listInvitations,
    createInvitation,
    resend,
    retire,
    expire,
    accept,
    createJob,
  };
}

/** The invitation changed (accepted, revoked, resent or expired) between reading and accepting it. */
export class InvitationChanged extends Error {
  constructor() {
    super('the invitation changed while it was being accepted');
    this.name = 'InvitationChanged';
  }
}

/** A pending invitation's way out: its new status, what else it sets, and its event. */
interface Retirement {
  status: 'expired' | 'revoked';
  set: { revokedAt?: string };
  event: EventItem;
}

/** How a stored-pending invitation leaves pending: expired if it is past expiry, else revoked. */
function retirement(
  current: InvitationItem,
  now: Date,
  actor: Actor,
  reason: 'revoked' | 'replaced',
): Retirement {
  const { tenantId, invitationId, email } = current;
  if (effectiveStatus(current, now) === 'expired') return expiry(current, now, actor);
  return {
    status: 'revoked',
    set: { revokedAt: now.toISOString() },
    event: eventItem(tenantId, actor, 'invitation.revoked', { invitationId, email, reason }, now),
  };
}

/** Recording an invitation's expiry, whoever noticed it: status expired and invitation.expired. */
function expiry(current: InvitationItem, now: Date, actor: Actor): Retirement {
  const { tenantId, invitationId, email, expiresAt } = current;
  return {
    status: 'expired',
    set: {},
    event: eventItem(tenantId, actor, 'invitation.expired', { invitationId, email, expiresAt }, now),
  };
}

export type InvitationStore = ReturnType<typeof createInvitationStore>;
