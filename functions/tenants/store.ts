// Access patterns of the tenants context. Every mutation is one transaction that also writes its event.
import { createWriteTransaction } from 'electrodb';
import { ulid } from 'ulid';
import type { ApiKeyItem, EventItem, TenantItem } from '../../libs/data/entities.ts';
import type { MailItem } from '../../libs/mail/entity.ts';
import type { InvitationItem } from '../invitations/entities.ts';
import type { TenantEntities } from './entities.ts';
import {
  eventItem,
  rejectedIndexes,
  type Actor,
  type Page,
  type PageRequest,
  transactionConflict,
  writeWithEvent,
} from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import type { GeneratedApiKey } from '../../libs/auth/api-key.ts';
import type { TenantStatus } from './lifecycle.ts';
import { tenantSnapshot } from './present.ts';

/** The owner's invitation, its mail and its event, written with the tenant (functions/invitations/owner.ts). */
export interface OwnerInvitation {
  invitation: InvitationItem;
  mail: MailItem;
  event: EventItem;
}

export function createTenantStore(entities: TenantEntities, clock: () => Date = () => new Date()) {
  async function getTenant(tenantId: string): Promise<TenantItem | undefined> {
    const { data } = await entities.tenant.get({ tenantId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function requireTenant(tenantId: string): Promise<TenantItem> {
    const tenant = await getTenant(tenantId);
    if (!tenant) throw problems.notFound('The tenant');
    return tenant;
  }

  /** Creates the tenant; `inviteOwner` builds the owner's invitation for the same transaction. */
  async function createTenant(
    input: { name: string; slug: string; plan: string; homeRegion: string },
    actor: Actor,
    inviteOwner?: (tenant: TenantItem, now: Date) => OwnerInvitation,
  ): Promise<TenantItem> {
    const now = clock();
    const tenant: TenantItem = {
      tenantId: `ten_${ulid(now.getTime())}`,
      slug: input.slug,
      name: input.name,
      plan: input.plan,
      homeRegion: input.homeRegion,
      status: 'active',
      activeApiKeys: 0,
      activeUsers: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const event = eventItem(
      tenant.tenantId,
      actor,
      'tenant.created',
      { tenant: tenantSnapshot(tenant) },
      now,
    );
    const owner = inviteOwner?.(tenant, now);
    const result = await createWriteTransaction(entities, (e) => [
      e.slugClaim
        .create({ slug: tenant.slug, tenantId: tenant.tenantId, homeRegion: tenant.homeRegion })
        .commit(),
      e.directoryTenant
        .create({
          tenantId: tenant.tenantId,
          slug: tenant.slug,
          homeRegion: tenant.homeRegion,
          status: 'active',
        })
        .commit(),
      e.tenant.create(tenant).commit(),
      e.event.create(event).commit(),
      ...(owner
        ? [
            e.invitation.create(owner.invitation).commit(),
            e.mail.create(owner.mail).commit(),
            e.event.create(owner.event).commit(),
          ]
        : []),
    ]).go();
    if (result.canceled) {
      if (rejectedIndexes(result.data).includes(0)) {
        throw problems.conflict('slug_taken', `The slug "${tenant.slug}" is already taken.`, {
          slug: tenant.slug,
        });
      }
      throw transactionConflict('The tenant could not be created');
    }
    return tenant;
  }

  async function listTenants(
    filter: { status?: TenantStatus | undefined },
    page: PageRequest,
  ): Promise<Page<TenantItem>> {
    const options = { order: 'desc' as const, limit: page.limit, cursor: page.position ?? null };
    const result = filter.status
      ? await entities.tenant.query.byStatus({ status: filter.status }).go(options)
      : await entities.tenant.query.all({}).go(options);
    return { items: result.data, position: result.cursor };
  }

  async function updateTenant(
    tenantId: string,
    changes: { name?: string | undefined; plan?: string | undefined },
    actor: Actor,
  ): Promise<TenantItem> {
    const current = await requireTenant(tenantId);
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    if (changes.name !== undefined && changes.name !== current.name)
      diff.name = { from: current.name, to: changes.name };
    if (changes.plan !== undefined && changes.plan !== current.plan)
      diff.plan = { from: current.plan, to: changes.plan };
    if (Object.keys(diff).length === 0) return current;
    const now = clock();
    const next: TenantItem = {
      ...current,
      name: changes.name ?? current.name,
      plan: changes.plan ?? current.plan,
      updatedAt: now.toISOString(),
    };
    const event = eventItem(
      tenantId,
      actor,
      'tenant.updated',
      { tenant: tenantSnapshot(next), changes: diff },
      now,
    );
    await writeWithEvent(entities, event, (e) => [
      e.tenant
        .patch({ tenantId })
        .set({ name: next.name, plan: next.plan, updatedAt: next.updatedAt })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
    ]);
    return next;
  }

  /** Moves `current` to `to`, on condition that nobody changed its status since it was read. */
  async function changeStatus(
    current: TenantItem,
    to: TenantStatus,
    reason: string | undefined,
    actor: Actor,
  ): Promise<TenantItem> {
    const { tenantId, status: from } = current;
    const now = clock();
    const next: TenantItem = {
      ...current,
      status: to,
      suspendedReason: reason,
      updatedAt: now.toISOString(),
    };
    const event =
      to === 'suspended'
        ? eventItem(tenantId, actor, 'tenant.suspended', { tenantId, reason: reason ?? '' }, now)
        : eventItem(tenantId, actor, 'tenant.resumed', { tenantId }, now);
    await writeWithEvent(entities, event, (e) => [
      reason === undefined
        ? e.tenant
            .patch({ tenantId })
            .set({ status: to, updatedAt: next.updatedAt })
            .remove(['suspendedReason'])
            .where((a, op) => op.eq(a.status, from))
            .commit()
        : e.tenant
            .patch({ tenantId })
            .set({ status: to, updatedAt: next.updatedAt, suspendedReason: reason })
            .where((a, op) => op.eq(a.status, from))
            .commit(),
      e.directoryTenant.patch({ tenantId }).set({ status: to }).commit(),
    ]);
    return next;
  }

  async function listEvents(tenantId: string, page: PageRequest): Promise<Page<EventItem>> {
    const result = await entities.event.query
      .byTenant({ tenantId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  async function createApiKey(
    tenantId: string,
    key: GeneratedApiKey,
    input: { name: string; scopes: string[] },
    limit: number,
    actor: Actor,
  ): Promise<ApiKeyItem> {
    const now = clock();
    const item: ApiKeyItem = {
      ownerId: tenantId,
      keyId: key.keyId,
      name: input.name,
      scopes: input.scopes,
      prefix: key.prefix,
      secretHash: key.secretHash,
      status: 'active',
      createdAt: now.toISOString(),
      createdBy: `${actor.type}:${actor.id}`,
    };
    const event = eventItem(
      tenantId,
      actor,
      'api_key.created',
      { keyId: key.keyId, name: input.name, scopes: input.scopes },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      // The plan's key limit is checked in the same transaction that takes a slot.
      e.tenant
        .update({ tenantId })
        .add({ activeApiKeys: 1 })
        .where((a, op) => `${op.exists(a.tenantId)} AND ${op.lt(a.activeApiKeys, limit)}`)
        .commit(),
      e.apiKey.create(item).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      await requireTenant(tenantId);
      if (rejectedIndexes(result.data).includes(0)) {
        throw problems.conflict('plan_limit_reached', `The tenant's plan allows ${limit} active API keys.`, {
          limit,
          resource: 'apiKeys',
        });
      }
      throw transactionConflict('The API key could not be created');
    }
    return item;
  }

  async function listApiKeys(tenantId: string, page: PageRequest): Promise<Page<ApiKeyItem>> {
    const result = await entities.apiKey.query
      .byOwner({ ownerId: tenantId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  /** Revokes a key; revoking a revoked key again changes nothing. A missing key is a 404. */
  async function revokeApiKey(tenantId: string, keyId: string, actor: Actor): Promise<void> {
    const { data: key } = await entities.apiKey.get({ ownerId: tenantId, keyId }).go({ consistent: true });
    if (!key) throw problems.notFound('The API key');
    if (key.status === 'revoked') return;
    const now = clock();
    const event = eventItem(tenantId, actor, 'api_key.revoked', { keyId }, now);
    await writeWithEvent(entities, event, (e) => [
      e.apiKey
        .patch({ ownerId: tenantId, keyId })
        .set({ status: 'revoked', revokedAt: now.toISOString() })
        .where((a, op) => op.eq(a.status, 'active'))
        .commit(),
      e.tenant.patch({ tenantId }).subtract({ activeApiKeys: 1 }).commit(),
    ]);
  }

  /** Platform admin keys belong to no tenant, so they write no tenant event. */
  async function createPlatformKey(key: GeneratedApiKey, name: string): Promise<ApiKeyItem> {
    const item: ApiKeyItem = {
      ownerId: 'platform',
      keyId: key.keyId,
      name,
      scopes: [],
      prefix: key.prefix,
      secretHash: key.secretHash,
      status: 'active',
      createdAt: clock().toISOString(),
      createdBy: 'operator',
    };
    await entities.apiKey.create(item).go();
    return item;
  }

  return {
    getTenant,
    requireTenant,
    createTenant,
    listTenants,
    updateTenant,
    changeStatus,
    listEvents,
    createApiKey,
    listApiKeys,
    revokeApiKey,
    createPlatformKey,
  };
}

export type TenantStore = ReturnType<typeof createTenantStore>;
