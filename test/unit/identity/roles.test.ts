// What built-in and custom roles grant.
import { describe, expect, it } from 'vitest';
import { tenantPermissions } from '../../../libs/auth/permissions.ts';
import { builtInRoles, customRoleIds, isBuiltInRole, permissionsOf } from '../../../libs/auth/roles.ts';
import type { RoleItem } from '../../../libs/data/identity-entities.ts';

const opsRole: RoleItem = {
  tenantId: 'ten_1',
  roleId: 'role_01JD0000000000000000000001',
  name: 'Ops',
  permissions: ['jobs:read', 'webhooks:write', 'not-a:permission'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('roles', () => {
  it('owners and admins hold every tenant permission', () => {
    expect([...permissionsOf(['owner'], [])].sort()).toEqual([...tenantPermissions].sort());
    expect([...permissionsOf(['admin'], [])].sort()).toEqual([...tenantPermissions].sort());
  });

  it('a member reads the tenant and its users and manages only themselves', () => {
    expect([...permissionsOf(['member'], [])].sort()).toEqual([
      'self:read',
      'self:write',
      'tenant:read',
      'users:read',
    ]);
  });

  it('an auditor reads everything but writes nothing and sees no secrets', () => {
    const auditor = permissionsOf(['auditor'], []);

    expect(auditor.has('users:read')).toBe(true);
    expect(auditor.has('webhooks:read')).toBe(true);
    expect(auditor.has('webhooks:secrets')).toBe(false);
    expect([...auditor].filter((p) => !p.endsWith(':read') && p !== 'self:write')).toEqual([]);
  });

  it('billing reads billing and the tenant', () => {
    expect(permissionsOf(['billing'], []).has('billing:read')).toBe(true);
    expect(permissionsOf(['billing'], []).has('users:read')).toBe(false);
  });

  it('every built-in role includes the self permissions', () => {
    for (const role of Object.values(builtInRoles)) {
      expect(role.permissions).toEqual(expect.arrayContaining(['self:read', 'self:write']));
    }
  });

  it('custom roles add their known permissions; unknown permissions and missing roles grant nothing', () => {
    const granted = permissionsOf(['member', opsRole.roleId, 'role_01JD0000000000000000000999'], [opsRole]);

    expect(granted.has('jobs:read')).toBe(true);
    expect(granted.has('webhooks:write')).toBe(true);
    expect(granted.has('not-a:permission')).toBe(false);
    expect(granted.has('users:write')).toBe(false);
  });

  it('a user with no role known still manages themselves', () => {
    expect([...permissionsOf(['deleted-role'], [])].sort()).toEqual(['self:read', 'self:write']);
  });

  it('tells built-in role names from custom role ids', () => {
    expect(isBuiltInRole('owner')).toBe(true);
    expect(isBuiltInRole(opsRole.roleId)).toBe(false);
    expect(customRoleIds(['owner', opsRole.roleId, 'junk'])).toEqual([opsRole.roleId]);
  });
});
