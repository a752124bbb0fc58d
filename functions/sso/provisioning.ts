// Just-in-time provisioning: the tenant's user for a person an SSO connection signed in. The first
// sign-in creates them in the user pool (with a password nobody learns) and in the tenant, taking a
// seat under the plan's limit in the same transaction as \`user.provisioned\`; a later sign-in sets
// their name and mapped roles again. If the tenant's write fails, the pool user is removed again.
import { randomBytes } from 'node:crypto';
import { ownerRole } from '../../libs/auth/grants.ts';
import type { UserPool as PoolUsers } from '../../libs/auth/pool-users.ts';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { UserItem } from '../../libs/data/identity-entities.ts';
import { Problem } from '../../libs/http/problem.ts';
import type { ConnectionItem } from './entities.ts';
import { SignInRefusal, type MappedProfile } from './mapped-profile.ts';
import type { SignInStore } from './sign-in-store.ts';

export interface ProvisioningDeps {
  signIns: SignInStore;
  poolUsers: Pick<PoolUsers, 'createUser' | 'deleteUser'>;
  setPoolName(username: string, name: string): Promise<void>;
  deployment: Pick<DeploymentConfig, 'plans'>;
  clock: () => Date;
}

export function createProvisioning(deps: ProvisioningDeps) {
  const { signIns } = deps;

  /** The tenant's user for this person: created on the first sign-in, name and roles kept in step. */
  async function provision(connection: ConnectionItem, profile: MappedProfile, email: string) {
    const { tenantId } = connection;
    const actor = { type: 'system', id: `sso:${connection.connectionId}` } as const;
    const name = profile.name ?? email.split('@')[0]!;
    const existing = await signIns.userByEmail(tenantId, email);
    if (existing) {
      if (existing.status !== 'active') {
        throw new SignInRefusal('user_deactivated', `${email} is deactivated in this tenant`, email);
      }
      // The owner role is Plinth's to give and take, never an IdP group's.
      const roles = existing.roles.includes(ownerRole) ? [ownerRole, ...profile.roles] : profile.roles;
      const saved = await signIns.syncUser(existing, { name, roles }, actor);
      if (saved.name !== existing.name) await deps.setPoolName(existing.userId, name);
      return saved;
    }
    const tenant = await signIns.getTenant(tenantId);
    if (!tenant) throw new SignInRefusal('tenant_not_found', 'the tenant no longer exists', email);
    if (tenant.status === 'suspended') {
      throw new SignInRefusal('tenant_suspended', 'the tenant is suspended', email);
    }
    const plan = deps.deployment.plans[tenant.plan];
    if (!plan) throw new Error(`tenant ${tenantId} has plan "${tenant.plan}", which is not configured`);
    if (tenant.activeUsers >= plan.limits.users) {
      throw new SignInRefusal(
        'plan_limit_reached',
        `the tenant's plan allows ${plan.limits.users} users`,
        email,
      );
    }
    let created;
    try {
      // Nobody ever learns this password: SSO users sign in through their IdP only.
      created = await deps.poolUsers.createUser({
        email,
        name,
        tenantId,
        password: `${randomBytes(24).toString('base64url')}aA1!`,
      });
    } catch (error) {
      if (error instanceof Problem && error.code === 'email_in_use') {
        throw new SignInRefusal(
          'email_in_use',
          `${email} already belongs to a user of another tenant, and one person in several tenants is not supported yet`,
          email,
        );
      }
      throw error;
    }
    const at = deps.clock().toISOString();
    const user: UserItem = {
      tenantId,
      userId: created.userId,
      email,
      emailVerified: true,
      name,
      roles: profile.roles,
      status: 'active',
      mfaEnrolled: false,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await signIns.provisionUser(user, connection.connectionId, plan.limits.users, actor);
    } catch (error) {
      await deps.poolUsers.deleteUser(created.username);
      if (error instanceof Problem && error.code === 'plan_limit_reached') {
        throw new SignInRefusal('plan_limit_reached', error.detail, email);
      }
      throw error;
    }
    return user;
  }

  return { provision };
}
