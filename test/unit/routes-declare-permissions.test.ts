// Every route of every context declares who may call it (the type requires a permission); this
// checks what the type cannot: that each permission is one the role catalogue grants, and that
// each route is reachable only with it, by calling every route through the API handler.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { contexts } from '../../functions/manifests.ts';
import { platformPermissions, tenantPermissions } from '../../libs/auth/permissions.ts';
import { builtInRoles } from '../../libs/auth/roles.ts';
import { createApiHandler } from '../../libs/http/api-handler.ts';
import { implement } from '../../libs/http/route.ts';
import type { RouteDeclaration } from '../../libs/manifest/types.ts';
import { apiEvent, json, lambdaContext, platformCaller, tenantCaller } from './http/api-events.ts';

const routes: Array<RouteDeclaration & { context: string }> = contexts.flatMap((context) =>
  context.routes.map((route) => ({ ...route, context: context.name })),
);
const protectedRoutes = routes.filter((r) => r.audience !== 'public');

const name = (route: RouteDeclaration & { context: string }) =>
  `${route.context}.${route.operationId} (${route.method} ${route.path})`;

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((value, i) => values.indexOf(value) !== i))];
}

/** Every route, answering 204 once the handler lets a call through to it. */
const api = createApiHandler({
  serviceName: 'all-routes',
  logger: new Logger({ logLevel: 'SILENT' }),
  routes: routes.map((declaration) => implement(declaration, () => Promise.resolve({ status: 204 }))),
  // No call here sends an Idempotency-Key, so the table is never reached.
  idempotency: {
    client: new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    tableName: 'unused',
    responseKeys: 'r'.repeat(32),
  },
});

/** A concrete path for a route template: each `{param}` filled with a placeholder. */
const pathOf = (route: RouteDeclaration) => route.path.replace(/\{[^}]+\}/g, 'x1');

async function call(route: RouteDeclaration, permissions: string[]) {
  const caller = route.audience === 'platform' ? platformCaller(permissions) : tenantCaller(permissions);
  const res = await api(apiEvent({ method: route.method, path: pathOf(route), caller }), lambdaContext());
  return { status: res.statusCode, code: res.body ? json(res.body).code : undefined };
}

describe('route declarations', () => {
  it('exist', () => {
    expect(protectedRoutes.length).toBeGreaterThan(0);
  });

  it('only public routes have the permission `public`, and public routes have no other', () => {
    const publicPermissionOnProtected = protectedRoutes.filter((r) => r.permission === 'public');
    const protectedPermissionOnPublic = routes.filter(
      (r) => r.audience === 'public' && r.permission !== 'public',
    );
    expect(publicPermissionOnProtected.map(name)).toEqual([]);
    expect(protectedPermissionOnPublic.map(name)).toEqual([]);
  });

  it("every tenant route's permission is granted by a role of the catalogue, every platform one is a platform permission", () => {
    const granted = new Set(Object.values(builtInRoles).flatMap((role) => role.permissions));
    const known: Record<string, ReadonlySet<string>> = {
      platform: new Set(platformPermissions),
      tenant: granted,
    };
    const unknown = protectedRoutes.filter((r) => !known[r.audience]?.has(r.permission));
    expect(unknown.map((r) => `${name(r)}: ${r.permission}`)).toEqual([]);
  });

  it('every route refuses a caller holding every other permission of its audience, with permission_denied', async () => {
    const letThrough = [];
    for (const route of protectedRoutes) {
      const all: readonly string[] = route.audience === 'platform' ? platformPermissions : tenantPermissions;
      const { status, code } = await call(
        route,
        all.filter((p) => p !== route.permission),
      );
      if (status !== 403 || code !== 'permission_denied') letThrough.push(`${name(route)}: ${status}`);
    }
    expect(letThrough).toEqual([]);
  });

  it('every route lets through a caller holding only its permission', async () => {
    const refused = [];
    for (const route of protectedRoutes) {
      const { status } = await call(route, [route.permission]);
      if (status === 401 || status === 403) refused.push(`${name(route)}: ${status}`);
    }
    expect(refused).toEqual([]);
  });

  it('operationIds are unique across Plinth', () => {
    expect(duplicates(routes.map((r) => r.operationId))).toEqual([]);
  });

  it('no two routes share a method and path', () => {
    expect(duplicates(routes.map((r) => `${r.method} ${r.path}`))).toEqual([]);
  });
});
