// Built-in roles and what a user's roles grant. A user holds built-in roles by name and a tenant's
// custom roles by id; the authorizer turns them into the caller's permissions with `permissionsOf`.
import type { RoleItem } from '../data/identity-entities.ts';
import { tenantPermissions, type TenantPermission } from './permissions.ts';

export const builtInRoleNames = ['owner', 'admin', 'member', 'auditor', 'billing'] as const;
export type BuiltInRoleName = (typeof builtInRoleNames)[number];

/** What every user may do with their own profile, sessions and MFA, whatever their roles. */
export const selfPermissions: readonly TenantPermission[] = ['self:read', 'self:write'];

/** Reading secrets is never part of a read-only role. */
const readOnly = tenantPermissions.filter((p) => p.endsWith(':read'));

export interface BuiltInRole {
  name: BuiltInRoleName;
  description: string;
  permissions: readonly TenantPermission[];
}

export const builtInRoles: Readonly<Record<BuiltInRoleName, BuiltInRole>> = {
  owner: {
    name: 'owner',
    description: 'Everything in the tenant, including granting and removing the owner role.',
    permissions: tenantPermissions,
  },
  admin: {
    name: 'admin',
    description: 'Everything in the tenant except granting or removing the owner role.',
    permissions: tenantPermissions,
  },
  member: {
    name: 'member',
    description: 'Reads the tenant and its users; manages their own profile, sessions and MFA.',
    permissions: ['tenant:read', 'self:read', 'self:write', 'users:read'],
  },
  auditor: {
    name: 'auditor',
    description: 'Reads everything in the tenant except secrets; changes nothing but their own profile.',
    permissions: [...new Set([...readOnly, ...selfPermissions])],
  },
  billing: {
    name: 'billing',
    description: 'Reads the tenant and its billing; manages their own profile, sessions and MFA.',
    permissions: ['tenant:read', 'self:read', 'self:write', 'billing:read'],
  },
};

/** Custom role ids: `role_` and a ULID. */
export const customRoleIdPattern = /^role_[0-9A-HJKMNP-TV-Z]{26}$/;

export function isBuiltInRole(role: string): role is BuiltInRoleName {
  return (builtInRoleNames as readonly string[]).includes(role);
}

function isTenantPermission(permission: string): permission is TenantPermission {
  return (tenantPermissions as readonly string[]).includes(permission);
}

/**
 * The permissions a user's roles grant: the union of their built-in roles' and custom roles'
 * permissions, plus the self permissions every user has. Role names that are neither built in nor
 * among `customRoles` (a deleted custom role) grant nothing; nor does a custom permission that is
 * not a tenant permission.
 */
export function permissionsOf(roles: readonly string[], customRoles: readonly RoleItem[]): Set<string> {
  const granted = new Set<string>(selfPermissions);
  const custom = new Map(customRoles.map((r) => [r.roleId, r]));
  for (const role of roles) {
    const permissions = isBuiltInRole(role) ? builtInRoles[role].permissions : custom.get(role)?.permissions;
    for (const p of permissions ?? []) if (isTenantPermission(p)) granted.add(p);
  }
  return granted;
}

/** The custom role ids among a user's roles: what the authorizer must read to know their permissions. */
export function customRoleIds(roles: readonly string[]): string[] {
  return roles.filter((r) => !isBuiltInRole(r) && customRoleIdPattern.test(r));
}
