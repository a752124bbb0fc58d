// Every POST route the manifests declare, served through the shared API handler with a stand-in
// implementation: a kept response goes back only to the principal that caused it.
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { contexts } from '../../../functions/manifests.ts';
import type { CallerContext } from '../../../libs/auth/caller.ts';
import { createApiHandler, type ApiHandler } from '../../../libs/http/api-handler.ts';
import { isIdempotentRoute } from '../../../libs/http/idempotency.ts';
import type { BoundRoute } from '../../../libs/http/route.ts';
import type { RouteDeclaration } from '../../../libs/manifest/types.ts';
import { createTestTables } from '../../support/tables.ts';
import { apiEvent, json, lambdaContext, platformCaller, tenantCaller } from '../../unit/http/api-events.ts';

const postRoutes = contexts.flatMap((c) => c.routes).filter((route) => route.method === 'POST');
const idempotentRoutes = postRoutes.filter(isIdempotentRoute);

const runs = new Map<string, number>();

/** The declaration as served, with a body anything may fill, so one request suits every route. */
function standIn(declaration: RouteDeclaration): BoundRoute {
  return {
    declaration: { ...declaration, request: { body: z.unknown() } },
    run: ({ caller }) => {
      runs.set(declaration.operationId, (runs.get(declaration.operationId) ?? 0) + 1);
      return Promise.resolve({ status: 201, body: { secretOf: caller.principalId } });
    },
  };
}

function callers(declaration: RouteDeclaration): [CallerContext, CallerContext] {
  const permissions = [declaration.permission];
  if (declaration.audience === 'platform') {
    return [platformCaller(permissions, 'key_admin_one'), platformCaller(permissions, 'key_admin_two')];
  }
  const owner = tenantCaller(permissions);
  const user: CallerContext = {
    kind: 'tenant',
    tenantId: owner.kind === 'tenant' ? owner.tenantId : '',
    principalType: 'user',
    principalId: 'user-sub-2',
    credentialId: 'sess_2',
    plan: 'starter',
    permissions: new Set(permissions),
  };
  return [owner, user];
}

let handler: ApiHandler;

beforeAll(async () => {
  const tables = await createTestTables();
  handler = createApiHandler({
    serviceName: 'all-posts',
    routes: idempotentRoutes.map(standIn),
    logger: new Logger({ serviceName: 'all-posts', logLevel: 'SILENT' }),
    idempotency: { client: tables.client, tableName: tables.tableName, responseKeys: 'r'.repeat(32) },
  });
});

describe('Idempotency-Key on every declared POST route', () => {
  it('covers the POST routes that have a caller', () => {
    expect(idempotentRoutes.length).toBeGreaterThan(10);
    expect(
      postRoutes
        .filter((r) => !isIdempotentRoute(r))
        .every((r) => r.audience === 'public' || r.idempotent === false),
    ).toBe(true);
  });

  it.each(idempotentRoutes.map((route) => [route.operationId, route] as const))(
    '%s replays only to the principal that used the key',
    async (_, declaration) => {
      const path = declaration.path.replace(/\{[^}]+\}/g, 'res_1');
      const [owner, other] = callers(declaration);
      const send = (caller: CallerContext) =>
        handler(
          apiEvent({
            method: 'POST',
            path,
            body: { same: 'body' },
            headers: { 'Idempotency-Key': `walk-${declaration.operationId}` },
            caller,
          }),
          lambdaContext(),
        );

      const first = await send(owner);
      const replay = await send(owner);
      const reuse = await send(other);

      expect(first.statusCode).toBe(201);
      expect(replay.body).toBe(first.body);
      expect(reuse.body).not.toContain(owner.principalId);
      if (declaration.audience === 'platform') {
        // Each platform admin has a key space of its own: the same key is a new request there.
        expect([reuse.statusCode, runs.get(declaration.operationId)]).toEqual([201, 2]);
      } else {
        expect([reuse.statusCode, json(reuse.body).code]).toEqual([422, 'idempotency_key_reused']);
        expect(runs.get(declaration.operationId)).toBe(1);
      }
    },
  );
});
