// Turns stored items into the API's resources: nothing internal (hashes, counters, keys) leaves here.
import type { ApiKeyItem, EventItem, TenantItem } from '../../libs/data/entities.ts';

/** What events carry of a tenant: who it is and its state, without timestamps or counters. */
export function tenantSnapshot(t: TenantItem) {
  return {
    id: t.tenantId,
    slug: t.slug,
    name: t.name,
    plan: t.plan,
    homeRegion: t.homeRegion,
    status: t.status,
  };
}

export function tenantResource(t: TenantItem) {
  return {
    ...tenantSnapshot(t),
    ...(t.suspendedReason !== undefined ? { suspendedReason: t.suspendedReason } : {}),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export function apiKeyResource(k: ApiKeyItem) {
  return {
    id: k.keyId,
    tenantId: k.ownerId,
    name: k.name,
    scopes: k.scopes,
    prefix: k.prefix,
    status: k.status,
    createdAt: k.createdAt,
    ...(k.lastUsedAt !== undefined ? { lastUsedAt: k.lastUsedAt } : {}),
    ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}),
  };
}

export function eventResource(e: EventItem) {
  return {
    id: e.eventId,
    type: e.type,
    version: e.version,
    tenantId: e.tenantId,
    actor: e.actor,
    occurredAt: e.occurredAt,
    data: e.data as Record<string, unknown>,
  };
}
