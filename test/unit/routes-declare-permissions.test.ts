// Every route of every context declares who may call it; this walks them all.
import { describe, expect, it } from 'vitest';
import { contexts } from '../../functions/manifests.ts';
import { platformPermissions, tenantPermissions } from '../../libs/auth/permissions.ts';
import type { RouteDeclaration } from '../../libs/manifest/types.ts';

const routes: Array<RouteDeclaration & { context: string }> = contexts.flatMap((context) =>
  context.routes.map((route) => ({ ...route, context: context.name })),
);

const name = (route: RouteDeclaration & { context: string }) =>
  `${route.context}.${route.operationId} (${route.method} ${route.path})`;

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((value, i) => values.indexOf(value) !== i))];
}

describe('route declarations', () => {
  it('exist', () => {
    expect(routes.length).toBeGreaterThan(0);
  });

  it('every route declares a permission', () => {
    const missing = routes.filter((r) => typeof r.permission !== 'string' || r.permission.length === 0);
    expect(missing.map(name)).toEqual([]);
  });

  it('only public routes have the permission `public`, and public routes have no other', () => {
    const publicPermissionOnProtected = routes.filter(
      (r) => r.audience !== 'public' && r.permission === 'public',
    );
    const protectedPermissionOnPublic = routes.filter(
      (r) => r.audience === 'public' && r.permission !== 'public',
    );
    expect(publicPermissionOnProtected.map(name)).toEqual([]);
    expect(protectedPermissionOnPublic.map(name)).toEqual([]);
  });

  it('every permission is one the audience can hold', () => {
    const known: Record<string, readonly string[]> = {
      platform: platformPermissions,
      tenant: tenantPermissions,
    };
    const unknown = routes.filter(
      (r) => r.audience !== 'public' && !known[r.audience]?.includes(r.permission),
    );
    expect(unknown.map((r) => `${name(r)}: ${r.permission}`)).toEqual([]);
  });

  it('operationIds are unique across Plinth', () => {
    expect(duplicates(routes.map((r) => r.operationId))).toEqual([]);
  });

  it('no two routes share a method and path', () => {
    expect(duplicates(routes.map((r) => `${r.method} ${r.path}`))).toEqual([]);
  });
});
