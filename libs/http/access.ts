// Who may call a route: a verified caller of the route's audience who holds the route's permission.
import { callerFromAuthorizer, type CallerContext } from '../auth/caller.ts';
import type { RouteDeclaration } from '../manifest/types.ts';
import { refusalOf } from './credentials.ts';
import { Problem, problems } from './problem.ts';

/**
 * Who the caller is, one string per principal across credential kinds (an API key, a user, a
 * platform admin): what kept Idempotency-Key responses and pagination cursors are bound to.
 */
export function principalOf(caller: CallerContext): string {
  if (caller.kind === 'platform') return `platform:${caller.principalId}`;
  return `${caller.principalType}:${caller.principalId}`;
}

/** The caller of a non-public route, or undefined for a public one; throws 401/403 problems. */
export function authorizeCaller(
  declaration: RouteDeclaration,
  authorizer: Record<string, unknown> | null | undefined,
): CallerContext | undefined {
  if (declaration.audience === 'public') return undefined;
  const refusal = refusalOf(authorizer);
  if (refusal) {
    throw new Problem(refusal.status, refusal.code, refusal.detail, {
      ...(refusal.status === 401 ? { headers: { 'www-authenticate': 'Bearer' } } : {}),
    });
  }
  const caller = callerFromAuthorizer(authorizer);
  if (declaration.audience === 'tenant' && caller.kind !== 'tenant') {
    throw new Problem(
      403,
      'tenant_credential_required',
      'This call acts on your own tenant; use a tenant credential.',
    );
  }
  if (declaration.audience === 'platform' && caller.kind !== 'platform') {
    throw new Problem(
      403,
      'platform_credential_required',
      'This call is for platform admins; use a platform credential.',
    );
  }
  if (caller.kind === 'tenant' && caller.mfaPending && declaration.mfaExempt !== true) {
    throw new Problem(
      403,
      'mfa_required',
      'Your tenant requires multi-factor authentication: enrol TOTP (POST /v1/me/mfa/totp), then sign in again with it.',
    );
  }
  if (!caller.permissions.has(declaration.permission)) throw problems.forbidden(declaration.permission);
  return caller;
}
