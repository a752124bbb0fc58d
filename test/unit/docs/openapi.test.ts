import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { api } from '../../../functions/docs/handler.ts';
import { contexts } from '../../../functions/manifests.ts';
import { buildOpenApiDocument } from '../../../libs/http/openapi.ts';
import { defineContext, defineRoute } from '../../../libs/manifest/types.ts';
import { apiEvent, json, lambdaContext } from '../http/api-events.ts';

const document = buildOpenApiDocument(contexts, { title: 'Plinth API', version: '0.0.0-test' });

type Operation = {
  operationId: string;
  security: unknown[];
  'x-permission': string;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
  responses: Record<string, { $ref?: string }>;
};

function operation(path: string, method: string): Operation | undefined {
  const item = document.paths?.[path] as Record<string, Operation> | undefined;
  return item?.[method.toLowerCase()];
}

const routes = contexts.flatMap((context) => context.routes);

describe('the OpenAPI document', () => {
  it('passes the Redocly recommended ruleset', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'openapi.json',
      config,
    });

    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual(
      [],
    );
    // Allowed warnings, each for a reason:
    // - info-license: the project has not published its licence yet; the document names it once it does.
    const allowed = new Set(['info-license']);
    expect(
      problems
        .filter((p) => p.severity === 'warn' && !allowed.has(p.ruleId))
        .map((p) => `${p.ruleId}: ${p.message}`),
    ).toEqual([]);
  });

  it('describes every declared route with its operationId, permission and security', () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const op = operation(route.path, route.method);
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op?.operationId).toBe(route.operationId);
      expect(op?.['x-permission']).toBe(route.permission);
      expect(op?.security).toEqual(route.audience === 'public' ? [] : [{ apiKey: [] }, { jwt: [] }]);
      for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
        expect(
          op?.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name),
          `${route.operationId} ${name}`,
        ).toBe(true);
      }
      for (const status of Object.keys(route.responses)) expect(op?.responses[status]).toBeDefined();
    }
  });

  it('adds the problem responses a route can give, as one shared Problem schema', () => {
    const create = operation('/v1/platform/tenants', 'POST');
    expect(Object.keys(create?.responses ?? {}).sort()).toEqual(
      ['201', '400', '401', '403', '409', '413', '415', '422', '429', '500'].sort(),
    );
    expect(create?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);

    const openapi = operation('/v1/openapi.json', 'GET');
    expect(openapi?.responses).not.toHaveProperty('401');
    expect(openapi?.responses).not.toHaveProperty('403');

    const bad = document.components?.responses?.BadRequest as {
      content: Record<string, { schema: unknown }>;
    };
    expect(bad.content['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(document.components?.schemas?.Problem).toMatchObject({
      required: expect.arrayContaining(['type', 'code', 'detail']) as string[],
    });
  });

  it('refuses two different schemas under one component id', () => {
    const one = z.strictObject({ a: z.string() }).meta({ id: 'Thing' });
    const other = z.strictObject({ b: z.number() }).meta({ id: 'Thing' });
    const route = (operationId: string, path: string, schema: z.ZodType) =>
      defineRoute({
        operationId,
        method: 'GET',
        path,
        summary: operationId,
        tags: ['Things'],
        audience: 'public',
        permission: 'public',
        responses: { 200: { description: 'A thing', schema } },
      });
    const context = defineContext({
      name: 'things',
      description: 'Things',
      entry: 'functions/things/handler.ts',
      routes: [route('getA', '/v1/a', one), route('getB', '/v1/b', other)],
      access: {},
    });
    expect(() => buildOpenApiDocument([context], { title: 't', version: '1' })).toThrow(
      'two different schemas share the OpenAPI component id "Thing"',
    );
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the OpenAPI 3.1 document without a credential', async () => {
    const res = await api(apiEvent({ method: 'GET', path: '/v1/openapi.json' }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('application/json');
    const served = json(res.body) as { openapi: string; paths: Record<string, unknown> };
    expect(served.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(served.paths)).toEqual(expect.arrayContaining(routes.map((r) => r.path)));
  });
});
