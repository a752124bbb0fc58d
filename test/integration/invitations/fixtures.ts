// What the invitations integration tests share: real tables, a user pool kept in memory (the flows
// talk to it through the UserPool interface), a tenant with an owner, and reading mailed tokens.
import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { parseDeploymentConfig } from '../../../libs/config/deployment.ts';
import type { CallerContext } from '../../../libs/auth/caller.ts';
import { permissionsOf } from '../../../libs/auth/roles.ts';
import type { RoleItem, UserItem } from '../../../libs/data/identity-entities.ts';
import { userItem } from '../../support/users.ts';
import { createCursorCodec } from '../../../libs/http/cursor.ts';
import type { InvitationsDeps } from '../../../functions/invitations/context.ts';
import { createEmailChangeStore } from '../../../functions/invitations/email-change-store.ts';
import {
  createInvitationEntities,
  type InvitationEntities,
} from '../../../functions/invitations/entities.ts';
import { createInvitationStore } from '../../../functions/invitations/store.ts';
import type { NewPoolUser, UserPool } from '../../../libs/auth/pool-users.ts';
import { emailInUse } from '../../../libs/auth/pool-users.ts';
import deploymentInput from '../../../infra/plinth.config.ts';
import { tenantItem } from '../../support/items.ts';
import { createTestTables, type TestTables } from '../../support/tables.ts';
import { mailBodyOf, testMailBox } from '../../support/mail.ts';
export { problemOf } from '../../support/problems.ts';

export const deployment = parseDeploymentConfig(deploymentInput);
/** The starter plan's user limit in infra/plinth.config.ts. */
export const starterUsers = deployment.plans.starter!.limits.users;

export interface PoolUser extends NewPoolUser {
  userId: string;
  emailVerified: boolean;
}

/** A user pool in memory that refuses a second user with the same email, as Cognito does. */
export class MemoryUserPool implements UserPool {
  readonly users = new Map<string, PoolUser>();
  /** Runs after a user is created, e.g. to change the table under a running acceptance. */
  afterCreate: (() => Promise<void>) | undefined;

  async createUser(user: NewPoolUser) {
    if ([...this.users.values()].some((u) => u.email === user.email)) throw emailInUse();
    const userId = randomUUID();
    this.users.set(userId, { ...user, userId, emailVerified: true });
    await this.afterCreate?.();
    return { userId, username: userId };
  }

  deleteUser(username: string) {
    this.users.delete(username);
    return Promise.resolve();
  }

  setEmail(username: string, email: string) {
    const user = this.users.get(username);
    if (!user) return Promise.reject(new Error(`no pool user ${username}`));
    this.users.set(username, { ...user, email, emailVerified: true });
    return Promise.resolve();
  }
}

export interface Fixture {
  tables: TestTables;
  entities: InvitationEntities;
  deps: InvitationsDeps;
  pool: MemoryUserPool;
  /** Stops the fixture's clock at `at`; undefined lets it run with real time again. */
  setNow(at: Date | undefined): void;
}

export async function createFixture(): Promise<Fixture> {
  const tables = await createTestTables();
  const entities = createInvitationEntities({
    client: tables.client,
    tableName: tables.tableName,
    directoryTableName: tables.directoryTableName,
  });
  const pool = new MemoryUserPool();
  let now: Date | undefined;
  const deps: InvitationsDeps = {
    store: createInvitationStore(entities),
    emailChanges: createEmailChangeStore(entities),
    userPool: pool,
    deployment,
    consoleUrl: 'http://localhost:5173',
    cursors: createCursorCodec('integration-cursor-secret-0123456789abcdef'),
    mailBox: testMailBox,
    clock: () => now ?? new Date(),
  };
  return { tables, entities, deps, pool, setNow: (at) => (now = at) };
}

let tenantSequence = 0;

/** A fresh tenant id, unique in the run: `ten_` and 26 Crockford base32 characters. */
export function newTenantId(): string {
  tenantSequence += 1;
  return `ten_01JT${String(Date.now()).slice(-8)}${String(tenantSequence).padStart(14, '0')}`;
}

/** A tenant with an active owner; answers the owner and a caller acting as them. */
export async function seedTenant(
  fixture: Fixture,
  overrides: { activeUsers?: number; plan?: string } = {},
): Promise<{ tenantId: string; owner: UserItem; ownerCaller: CallerContext }> {
  const tenantId = newTenantId();
  await fixture.entities.tenant
    .create(
      tenantItem({
        tenantId,
        slug: tenantId.toLowerCase(),
        activeUsers: overrides.activeUsers ?? 1,
        ...(overrides.plan ? { plan: overrides.plan } : {}),
      }),
    )
    .go();
  const owner = await seedUser(fixture, tenantId, {
    email: `owner@${tenantId.toLowerCase()}.test`,
    roles: ['owner'],
  });
  return { tenantId, owner, ownerCaller: userCaller(owner) };
}

export async function seedUser(
  fixture: Fixture,
  tenantId: string,
  overrides: Partial<UserItem> & { email: string },
): Promise<UserItem> {
  const user = userItem(tenantId, overrides);
  await fixture.entities.user.create(user).go();
  return user;
}

/** A caller acting as `user`, holding what their roles grant, as the authorizer works it out. */
export function userCaller(user: UserItem, customRoles: readonly RoleItem[] = []): CallerContext {
  return {
    kind: 'tenant',
    tenantId: user.tenantId,
    principalType: 'user',
    principalId: user.userId,
    credentialId: 'session-1',
    plan: 'starter',
    permissions: permissionsOf(user.roles, customRoles),
  };
}

/** A tenant API key holding only `scopes`. */
export function apiKeyCaller(tenantId: string, scopes: readonly string[]): CallerContext {
  return {
    kind: 'tenant',
    tenantId,
    principalType: 'api_key',
    principalId: 'key_01JD0000000000000000000000',
    credentialId: 'key_01JD0000000000000000000000',
    plan: 'starter',
    permissions: new Set(scopes),
  };
}

/** A custom role of the tenant with these permissions. */
export async function seedRole(fixture: Fixture, tenantId: string, permissions: string[]): Promise<RoleItem> {
  const role: RoleItem = {
    tenantId,
    roleId: `role_${ulid()}`,
    name: 'Custom',
    permissions,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  await fixture.entities.role.create(role).go();
  return role;
}

/** The mails written for `to` in the tenant, oldest first, with their sealed bodies opened. */
export async function mailsTo(fixture: Fixture, tenantId: string, to: string) {
  const { data } = await fixture.entities.mail.query.byTenant({ tenantId }).go({ pages: 'all' });
  return data.filter((m) => m.to === to).map((m) => ({ ...m, ...mailBodyOf(m) }));
}

/** The tokens, each on its own line, of the invitation mails to `to`. */
export async function mailedTokens(fixture: Fixture, tenantId: string, to: string): Promise<string[]> {
  const mails = await mailsTo(fixture, tenantId, to);
  return mails.flatMap((m) => m.text.split('\n').filter((line) => /^pit_[A-Za-z0-9_-]{43}$/.test(line)));
}

/** The token of the one invitation mailed to `to`. */
export async function mailedToken(fixture: Fixture, tenantId: string, to: string): Promise<string> {
  const tokens = await mailedTokens(fixture, tenantId, to);
  if (tokens.length !== 1) throw new Error(`expected one invitation mailed to ${to}, found ${tokens.length}`);
  return tokens[0]!;
}

export async function eventTypes(fixture: Fixture, tenantId: string): Promise<string[]> {
  const { data } = await fixture.entities.event.query.byTenant({ tenantId }).go({ pages: 'all' });
  return data.map((e) => e.type);
}

export const strongPassword = 'Correct-Horse-42';
