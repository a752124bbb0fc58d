// What the stacks derive from the manifests, and the manifest mistakes that stop synth early.
import { describe, expect, test } from 'vitest';
import { authorizer, contexts } from '../../functions/manifests.ts';
import type { ContextManifest, RouteDeclaration } from '../../libs/manifest/types.ts';
import { deriveTopology, stageRelativePath } from '../../infra/topology.ts';

function route(overrides: Partial<RouteDeclaration> = {}): RouteDeclaration {
  return {
    operationId: 'getThing',
    method: 'GET',
    path: '/v1/things/{thingId}',
    summary: 'A thing',
    tags: [],
    audience: 'tenant',
    permission: 'things:read',
    responses: { 200: { description: 'The thing' } },
    ...overrides,
  };
}

function context(overrides: Partial<ContextManifest> = {}): ContextManifest {
  return {
    name: 'things',
    description: 'Things',
    entry: 'functions/things/handler.ts',
    apiHandler: 'api',
    routes: [route()],
    access: {},
    ...overrides,
  };
}

describe('the Plinth manifests', () => {
  const topology = deriveTopology(contexts, authorizer);

  test('give one function per handler export, the authorizer included', () => {
    const exportsOf = (ctx: ContextManifest): string[] => [
      ...(ctx.routes.length > 0 && ctx.apiHandler ? [ctx.apiHandler] : []),
      ...(ctx.queues ?? []).map((q) => q.consumer),
      ...(ctx.streams ?? []).map((st) => st.consumer),
      ...(ctx.rules ?? []).flatMap((r) => ('consumer' in r.target ? [r.target.consumer] : [])),
      ...(ctx.schedules ?? []).map((sc) => sc.consumer),
      ...(ctx.triggers ?? []).map((t) => t.consumer),
    ];
    const expected = new Set([
      'authorizer-handler',
      ...contexts.flatMap((ctx) => exportsOf(ctx).map((name) => `${ctx.name}-${name}`)),
    ]);
    expect(topology.functions.map((f) => f.id).sort()).toEqual([...expected].sort());
    expect(topology.functions.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'authorizer-handler',
        'docs-api',
        'jobs-worker',
        'outbox-publish',
        'tenants-api',
      ]),
    );
    expect(topology.authorizerFunctionId).toBe('authorizer-handler');
  });

  test('put every trigger function in the data stack and every other function in the API stack', () => {
    const triggerIds = new Set(topology.triggers.map((t) => t.functionId));
    for (const fn of topology.functions) expect(fn.stack, fn.id).toBe(triggerIds.has(fn.id) ? 'data' : 'api');
  });

  test('bundle each entry module once', () => {
    expect(topology.bundles).toEqual(
      expect.arrayContaining([
        { name: 'tenants', entry: 'functions/tenants/handler.ts' },
        { name: 'authorizer', entry: 'functions/authorizer/handler.ts' },
      ]),
    );
    expect(new Set(topology.bundles.map((b) => b.name)).size).toBe(topology.bundles.length);
  });

  test('take timeouts and memory from the manifest, 29 s and 512 MB otherwise; API functions never over 29 s', () => {
    const byId = new Map(topology.functions.map((f) => [f.id, f]));
    const jobs = contexts.find((c) => c.name === 'jobs');
    expect(jobs?.timeoutSeconds).toBeDefined();
    expect(byId.get('jobs-worker')).toMatchObject({ timeoutSeconds: jobs?.timeoutSeconds, memorySize: 512 });
    expect(byId.get('docs-api')).toMatchObject({ timeoutSeconds: 29, memorySize: 256 });
    expect(jobs?.timeoutSeconds).toBeGreaterThan(29);
    expect(byId.get('jobs-api')?.timeoutSeconds).toBe(29);
  });

  test('place every route on a stage-relative resource of its context', () => {
    const platformTenant = topology.resources.find((r) => r.path === '/platform/tenants/{tenantId}');
    expect(platformTenant?.functionId).toBe('tenants-api');
    expect(platformTenant?.routes.map((r) => r.method).sort()).toEqual(['GET', 'PATCH']);
    expect(topology.resources.find((r) => r.path === '/openapi.json')?.functionId).toBe('docs-api');
  });
});

describe('user pool triggers', () => {
  const signIn = context({
    name: 'signin',
    entry: 'functions/signin/handler.ts',
    routes: [route({ path: '/v1/me', operationId: 'getMe' })],
    triggers: [
      { trigger: 'preTokenGeneration', consumer: 'tokenClaims' },
      { trigger: 'preAuthentication', consumer: 'gate' },
      { trigger: 'postAuthentication', consumer: 'gate' },
    ],
    timeoutSeconds: 60,
    access: { table: 'read', userPool: 'admin' },
  });

  test('each becomes a spec naming its function, which lives in the data stack with a five-second timeout', () => {
    const topology = deriveTopology([signIn], authorizer);
    expect(topology.triggers.map((t) => [t.declaration.trigger, t.functionId])).toEqual([
      ['preTokenGeneration', 'signin-tokenClaims'],
      ['preAuthentication', 'signin-gate'],
      ['postAuthentication', 'signin-gate'],
    ]);
    const byId = new Map(topology.functions.map((f) => [f.id, f]));
    expect(byId.get('signin-tokenClaims')).toMatchObject({
      stack: 'data',
      timeoutSeconds: 5,
      description: 'signin: preTokenGeneration trigger',
      access: signIn.access,
    });
    expect(byId.get('signin-gate')?.stack).toBe('data');
    // The API function keeps to API Gateway's 29 s even though the context allows 60 s.
    expect(byId.get('signin-api')).toMatchObject({ stack: 'api', timeoutSeconds: 29 });
  });

  test('one trigger kind served by two contexts fails, naming both', () => {
    const other = context({
      name: 'others',
      entry: 'functions/others/handler.ts',
      routes: [],
      triggers: [{ trigger: 'preAuthentication', consumer: 'check' }],
    });
    expect(() => deriveTopology([signIn, other], authorizer)).toThrow(
      /context others: the user pool has one preAuthentication trigger, already served by context signin/,
    );
  });

  test('an export that serves a trigger and something else fails, naming it', () => {
    const mixed = context({ triggers: [{ trigger: 'customMessage', consumer: 'api' }] });
    expect(() => deriveTopology([mixed], authorizer)).toThrow(
      /context things: api serves the customMessage trigger and something else/,
    );
  });

  test('a trigger export that is not a valid export name fails, naming the context', () => {
    const bad = context({ triggers: [{ trigger: 'customMessage', consumer: 'custom-message' }] });
    expect(() => deriveTopology([bad], authorizer)).toThrow(
      /context things: "custom-message" is not a valid export name/,
    );
  });
});

describe('stage-relative paths', () => {
  test('drop the /v1 prefix, which is the stage', () => {
    expect(stageRelativePath('/v1/platform/tenants/{tenantId}')).toBe('/platform/tenants/{tenantId}');
    expect(stageRelativePath('/v1')).toBe('/');
  });

  test('refuse a path outside /v1 or with a malformed segment', () => {
    expect(() => stageRelativePath('/v2/things')).toThrow(/must start with \/v1\//);
    expect(() => stageRelativePath('/v1things')).toThrow(/must start with \/v1\//);
    expect(() => stageRelativePath('/v1/things/{bad id}')).toThrow(/invalid segment "\{bad id\}"/);
  });
});

describe('a manifest mistake fails with the bad value named', () => {
  test('routes without an apiHandler', () => {
    const { apiHandler: _, ...withoutHandler } = context();
    expect(() => deriveTopology([withoutHandler], authorizer)).toThrow(
      /context things declares routes but no apiHandler/,
    );
  });

  test('the same route twice', () => {
    expect(() =>
      deriveTopology([context({ routes: [route(), route({ operationId: 'again' })] })], authorizer),
    ).toThrow(/route GET \/v1\/things\/\{thingId\} is declared twice/);
  });

  test('one path served by two contexts', () => {
    const other = context({
      name: 'others',
      entry: 'functions/others/handler.ts',
      routes: [route({ method: 'DELETE', operationId: 'deleteThing' })],
    });
    expect(() => deriveTopology([context(), other], authorizer)).toThrow(
      /routes of contexts things and others/,
    );
  });

  test('access to a queue nobody declares', () => {
    expect(() =>
      deriveTopology([context({ access: { queues: [{ name: 'webhooks', access: 'send' }] } })], authorizer),
    ).toThrow(/queue "webhooks", which no context declares/);
  });

  test('a queue that would redeliver a message while its consumer still works on it', () => {
    const queues = [
      { name: 'slow', consumer: 'worker', batchSize: 1, maxReceiveCount: 3, visibilityTimeoutSeconds: 30 },
    ];
    expect(() => deriveTopology([context({ queues, timeoutSeconds: 60 })], authorizer)).toThrow(
      /visibilityTimeoutSeconds 30 is shorter than the timeout of context things \(60 s\)/,
    );
  });

  test('a rule that targets an undeclared queue', () => {
    const rules = [
      { name: 'forward', description: 'x', pattern: { source: ['plinth'] }, target: { queue: 'nowhere' } },
    ];
    expect(() => deriveTopology([context({ rules })], authorizer)).toThrow(/targets queue "nowhere"/);
  });

  test('a schedule that is neither rate, cron nor at', () => {
    const schedules = [{ name: 'nightly', expression: 'every night', consumer: 'purge' }];
    expect(() => deriveTopology([context({ schedules })], authorizer)).toThrow(/expression "every night"/);
  });

  test.each([
    ['cron(0 2 * * *)', /has 5 fields/],
    ['cron(0 2 * * * *)', /must be \?/],
    ['cron(0 2 ? * 0 *)', /day-of-week takes 1-7/],
  ])('a cron schedule EventBridge would refuse: %s', (expression, why) => {
    const schedules = [{ name: 'nightly', expression, consumer: 'purge' }];
    expect(() => deriveTopology([context({ schedules })], authorizer)).toThrow(why);
  });

  test('a cron schedule EventBridge takes', () => {
    const schedules = [{ name: 'nightly', expression: 'cron(0 2 ? * MON-FRI *)', consumer: 'purge' }];
    expect(deriveTopology([context({ schedules })], authorizer).schedules).toHaveLength(1);
  });
});
