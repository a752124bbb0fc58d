// The one check every path that grants roles, permissions or scopes goes through.
import { describe, expect, it } from 'vitest';
import { permissionsCarried, requireGrantable } from '../../../libs/auth/grants.ts';
import type { RoleItem } from '../../../libs/data/identity-entities.ts';
import { Problem } from '../../../libs/http/problem.ts';

function refusal(check: () => void): Problem | undefined {
  try {
    check();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  return undefined;
}

const support: RoleItem = {
  tenantId: 'ten_1',
  roleId: 'role_01JD00000000000000000000CR',
  name: 'Support',
  permissions: ['users:read', 'webhooks:secrets'],
  createdAt: 'x',
  updatedAt: 'x',
};

describe('granting', () => {
  it('nobody grants a permission they do not hold; the problem names the missing ones', () => {
    const problem = refusal(() =>
      requireGrantable(
        { permissions: new Set(['users:read', 'users:write']) },
        { permissions: ['users:write', 'webhooks:secrets', 'billing:read'] },
      ),
    );

    expect([problem?.status, problem?.code]).toEqual([403, 'permission_not_held']);
    expect(problem?.extensions).toEqual({ permissions: ['billing:read', 'webhooks:secrets'] });
  });

  it("a role grants what it carries, a custom role's permissions included", () => {
    const problem = refusal(() =>
      requireGrantable(
        { permissions: new Set(['invitations:write', 'users:read']) },
        { roles: ['member', support.roleId], customRoles: [support] },
      ),
    );

    expect(problem?.extensions).toEqual({ permissions: ['tenant:read', 'webhooks:secrets'] });
  });

  it('only an owner grants the owner role, even to a holder of every permission', () => {
    const everything = new Set(permissionsCarried(['admin'], []));

    const byAdmin = refusal(() => requireGrantable({ permissions: everything }, { roles: ['owner'] }));
    const byOwner = refusal(() =>
      requireGrantable({ permissions: everything, isOwner: true }, { roles: ['owner'] }),
    );

    expect([byAdmin?.status, byAdmin?.code]).toEqual([403, 'owner_role_required']);
    expect(byOwner).toBeUndefined();
  });

  it('the self permissions every user has need not be held to be granted', () => {
    expect([...permissionsCarried(['member'], [])].sort()).toEqual(['tenant:read', 'users:read']);
    expect(refusal(() => requireGrantable({ permissions: new Set() }, { roles: [] }))).toBeUndefined();
  });
});
