// What the identity routes are given, and who the caller is as a user of their tenant.
import { tenantIdOf, type CallerContext } from '../../libs/auth/caller.ts';
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import { Problem } from '../../libs/http/problem.ts';
import { isActiveOwner } from './owners.ts';
import type { IdentityStore } from './store.ts';
import type { UserPool } from './user-pool.ts';

export interface IdentityDeps {
  store: IdentityStore;
  userPool: UserPool;
  config: RuntimeConfig;
  cursors: CursorCodec;
  clock: () => Date;
}

export interface SignedInUser {
  tenantId: string;
  userId: string;
  /** The session of the caller's token (its origin_jti). */
  sessionId: string;
  permissions: ReadonlySet<string>;
  /** The tenant requires MFA and this token has none. */
  mfaPending: boolean;
}

/** The signed-in user behind a `/v1/me` call; an API key has no user, so it is refused. */
export function signedInUser(caller: CallerContext): SignedInUser {
  const tenantId = tenantIdOf(caller);
  if (caller.kind !== 'tenant' || caller.principalType !== 'user') {
    throw new Problem(
      403,
      'user_credential_required',
      'This call is about a signed-in user; use a user token.',
    );
  }
  return {
    tenantId,
    userId: caller.principalId,
    sessionId: caller.credentialId,
    permissions: caller.permissions,
    mfaPending: caller.mfaPending === true,
  };
}

/** Whether the caller is an active owner of their tenant; API keys never are. */
export async function callerIsOwner(deps: IdentityDeps, caller: CallerContext): Promise<boolean> {
  if (caller.kind !== 'tenant' || caller.principalType !== 'user') return false;
  const user = await deps.store.getUser(caller.tenantId, caller.principalId);
  return user !== undefined && isActiveOwner(user);
}
