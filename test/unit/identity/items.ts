// Identity items and callers for unit tests that fake the table and the authorizer.
import { fillKey, primaryKeys } from '../../../libs/data/primary-keys.ts';
import type { UserItem } from '../../../libs/data/identity-entities.ts';
import { permissionsOf } from '../../../libs/auth/roles.ts';
import type { CallerContext } from '../../../libs/auth/caller.ts';
import { sampleTenantId } from '../../support/items.ts';

export function userItem(overrides: Partial<UserItem> = {}): UserItem {
  return {
    tenantId: sampleTenantId,
    userId: '8f3c2a1e-5b7d-4e21-9c0a-2d6f4b8e1a37',
    email: 'ann@acme.test',
    emailVerified: true,
    name: 'Ann',
    roles: ['member'],
    status: 'active',
    mfaEnrolled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** The raw DynamoDB item, as ElectroDB stores it. */
export function storedUser(item: UserItem): Record<string, unknown> {
  const values = { tenantId: item.tenantId, userId: item.userId };
  return {
    pk: fillKey(primaryKeys.user.pk, values),
    sk: fillKey(primaryKeys.user.sk, values),
    gsi1pk: `T#${item.tenantId}#USERS`,
    gsi1sk: item.email,
    __edb_e__: 'user',
    __edb_v__: '1',
    ...item,
  };
}

/** A signed-in user as the authorizer describes them. */
export function userCaller(
  user: UserItem,
  options: { sessionId?: string; mfaPending?: boolean } = {},
): CallerContext {
  return {
    kind: 'tenant',
    tenantId: user.tenantId,
    principalType: 'user',
    principalId: user.userId,
    credentialId: options.sessionId ?? '5d8e0c3a-1f2b-4c6d-8e9f-0a1b2c3d4e5f',
    plan: 'starter',
    permissions: permissionsOf(user.roles, []),
    ...(options.mfaPending ? { mfaPending: true } : {}),
  };
}
