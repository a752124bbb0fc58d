// The caller of an API route, as the authorizer verified it. Routes read the tenant from here only.
import { Problem } from '../http/problem.ts';

export type CallerContext =
  | {
      kind: 'platform';
      principalId: string;
      credentialId: string;
      permissions: ReadonlySet<string>;
    }
  | {
      kind: 'tenant';
      tenantId: string;
      principalType: 'api_key' | 'user';
      principalId: string;
      credentialId: string;
      plan: string;
      permissions: ReadonlySet<string>;
      /**
       * A user whose tenant requires MFA, past the grace period, signed in without it: only routes
       * marked `mfaExempt` (MFA enrolment, `GET /v1/me`) are open to them.
       */
      mfaPending?: boolean;
    };

/** Flat string map, as API Gateway requires of an authorizer's context. */
export type AuthorizerContext = Record<string, string>;

export function toAuthorizerContext(caller: CallerContext): AuthorizerContext {
  const base = {
    kind: caller.kind,
    principalId: caller.principalId,
    credentialId: caller.credentialId,
    permissions: [...caller.permissions].join(' '),
  };
  if (caller.kind === 'platform') return base;
  return {
    ...base,
    tenantId: caller.tenantId,
    principalType: caller.principalType,
    plan: caller.plan,
    ...(caller.mfaPending ? { mfaPending: 'true' } : {}),
  };
}

function field(ctx: Record<string, unknown>, name: string): string {
  const value = ctx[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Problem(401, 'unauthorized', 'The credential could not be verified.');
  }
  return value;
}

/** Reads the context the authorizer attached to `requestContext.authorizer`. */
export function callerFromAuthorizer(ctx: Record<string, unknown> | null | undefined): CallerContext {
  if (!ctx) throw new Problem(401, 'unauthorized', 'A valid credential is required.');
  const permissions = new Set(
    (typeof ctx.permissions === 'string' ? ctx.permissions : '').split(' ').filter((p) => p.length > 0),
  );
  const kind = field(ctx, 'kind');
  if (kind === 'platform') {
    return {
      kind,
      principalId: field(ctx, 'principalId'),
      credentialId: field(ctx, 'credentialId'),
      permissions,
    };
  }
  if (kind === 'tenant') {
    const principalType = field(ctx, 'principalType');
    if (principalType !== 'api_key' && principalType !== 'user') {
      throw new Problem(401, 'unauthorized', 'The credential could not be verified.');
    }
    return {
      kind,
      tenantId: field(ctx, 'tenantId'),
      principalType,
      principalId: field(ctx, 'principalId'),
      credentialId: field(ctx, 'credentialId'),
      plan: field(ctx, 'plan'),
      permissions,
      ...(ctx.mfaPending === 'true' ? { mfaPending: true } : {}),
    };
  }
  throw new Problem(401, 'unauthorized', 'The credential could not be verified.');
}

/** The actor recorded on events: who did it, never a secret. */
export function actorOf(caller: CallerContext): { type: string; id: string } {
  if (caller.kind === 'platform') return { type: 'platform_admin', id: caller.principalId };
  return { type: caller.principalType, id: caller.principalId };
}

/** The caller's own tenant; tenant routes only ever see tenant callers, so anything else is a 401. */
export function tenantIdOf(caller: CallerContext): string {
  if (caller.kind !== 'tenant') throw new Problem(401, 'unauthorized', 'A tenant credential is required.');
  return caller.tenantId;
}
