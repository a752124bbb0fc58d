// A user item as the identity context stores it: an active, verified member with a fresh id, for
// tests that seed users straight into the table.
import { randomUUID } from 'node:crypto';
import type { UserItem } from '../../libs/data/identity-entities.ts';

export function userItem(tenantId: string, overrides: Partial<UserItem> = {}): UserItem {
  const userId = overrides.userId ?? randomUUID();
  return {
    tenantId,
    userId,
    email: `${userId.slice(0, 8)}@example.com`,
    emailVerified: true,
    name: 'Someone',
    roles: ['member'],
    status: 'active',
    mfaEnrolled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
