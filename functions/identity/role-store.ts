// Access patterns of a tenant's custom roles, each mutation one transaction with its event.
import { ulid } from 'ulid';
import type { RoleItem } from '../../libs/data/identity-entities.ts';
import {
  writeWithEvent,
  eventItem,
  type Actor,
  type Page,
  type PageRequest,
} from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import { roleSnapshot } from './present.ts';
import type { Clock, IdentityStoreEntities } from './store-entities.ts';

export interface RoleInput {
  name: string;
  description?: string | undefined;
  permissions: string[];
}

export function createRoleStore(entities: IdentityStoreEntities, clock: Clock) {
  async function getRole(tenantId: string, roleId: string): Promise<RoleItem | undefined> {
    const { data } = await entities.role.get({ tenantId, roleId }).go({ consistent: true });
    return data ?? undefined;
  }

  async function requireRole(tenantId: string, roleId: string): Promise<RoleItem> {
    const role = await getRole(tenantId, roleId);
    if (!role) throw problems.notFound('The role');
    return role;
  }

  /** The roles among `roleIds` that exist. */
  async function getRoles(tenantId: string, roleIds: readonly string[]): Promise<RoleItem[]> {
    if (roleIds.length === 0) return [];
    const { data, unprocessed } = await entities.role
      .get(roleIds.map((roleId) => ({ tenantId, roleId })))
      .go({ consistent: true });
    if (unprocessed.length > 0) throw new Error(`${unprocessed.length} role reads were not processed`);
    return data;
  }

  /** Custom roles, oldest first (their ids are ULIDs). */
  async function listCustomRoles(tenantId: string, page: PageRequest): Promise<Page<RoleItem>> {
    const result = await entities.role.query
      .byId({ tenantId })
      .go({ limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  async function createRole(tenantId: string, input: RoleInput, actor: Actor): Promise<RoleItem> {
    const now = clock();
    const role: RoleItem = {
      tenantId,
      roleId: `role_${ulid(now.getTime())}`,
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      permissions: input.permissions,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const event = eventItem(tenantId, actor, 'role.created', { role: roleSnapshot(role) }, now);
    await writeWithEvent(entities, event, (e) => [e.role.create(role).commit()]);
    return role;
  }

  async function updateRole(current: RoleItem, changes: Partial<RoleInput>, actor: Actor): Promise<RoleItem> {
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of ['name', 'description', 'permissions'] as const) {
      const to = changes[field];
      if (to !== undefined && JSON.stringify(to) !== JSON.stringify(current[field])) {
        diff[field] = { from: current[field] ?? null, to };
      }
    }
    if (Object.keys(diff).length === 0) return current;
    const now = clock();
    const next: RoleItem = {
      ...current,
      name: changes.name ?? current.name,
      permissions: changes.permissions ?? current.permissions,
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      updatedAt: now.toISOString(),
    };
    const { tenantId, roleId } = current;
    const event = eventItem(
      tenantId,
      actor,
      'role.updated',
      { role: roleSnapshot(next), changes: diff },
      now,
    );
    await writeWithEvent(entities, event, (e) => [
      e.role
        .patch({ tenantId, roleId })
        .set({
          name: next.name,
          permissions: next.permissions,
          updatedAt: next.updatedAt,
          ...(next.description !== undefined ? { description: next.description } : {}),
        })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
    ]);
    return next;
  }

  async function deleteRole(current: RoleItem, actor: Actor): Promise<void> {
    const now = clock();
    const { tenantId, roleId } = current;
    const event = eventItem(tenantId, actor, 'role.deleted', { roleId }, now);
    await writeWithEvent(entities, event, (e) => [
      e.role
        .delete({ tenantId, roleId })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
    ]);
  }

  return { getRole, requireRole, getRoles, listCustomRoles, createRole, updateRole, deleteRole };
}
