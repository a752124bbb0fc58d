// What the stacks build from the contexts' declarations: one function per handler export, the
// queues, stream consumers, rules, schedules, user pool triggers and API resources. Pure, so a bad
// manifest fails here with a message naming the context and the bad value, before any construct exists.
import { CronExpressionError, parseCron } from './cron-expression.ts';
import {
  entryOf,
  type AccessDeclaration,
  type ContextManifest,
  type RouteDeclaration,
} from '../libs/manifest/types.ts';
import type {
  FunctionSpec,
  QueueSpec,
  RuleSpec,
  RuleTarget,
  ScheduleSpec,
  StreamSpec,
  Topology,
  TriggerSpec,
} from './topology-specs.ts';

export type * from './topology-specs.ts';

/** The API's version prefix: the stage name in AWS, and the first segment of every route path. */
export const apiStage = 'v1';
export const defaultMemorySize = 512;
/** API Gateway's own integration limit, so an API function cannot outlive its request. */
export const defaultTimeoutSeconds = 29;
/** Cognito waits five seconds for a trigger's answer; a longer timeout would only hide a failure. */
export const triggerTimeoutSeconds = 5;

/** A function that is not a bounded context (the authorizer) but is bundled and deployed like one. */
export interface StandaloneFunctionDeclaration {
  readonly name: string;
  readonly entry: string;
  readonly handler: string;
  readonly access: AccessDeclaration;
  /** The variables it parses at cold start (see `ContextManifest.environment`). */
  readonly environment?: ContextManifest['environment'];
}

const namePattern = /^[a-z][a-z0-9-]{0,30}$/;
const exportPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const segmentPattern = /^(\{[A-Za-z][A-Za-z0-9_]*\}|[A-Za-z0-9._~-]+)$/;

function fail(message: string): never {
  throw new Error(`invalid context manifests: ${message}`);
}

/** `functions/webhooks/consumers.ts` → `consumers`. */
function bundleSuffix(entry: string): string {
  const base =
    entry
      .split('/')
      .at(-1)
      ?.replace(/\.[cm]?[jt]s$/, '') ?? entry;
  return base.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function checkName(kind: string, name: string): void {
  if (!namePattern.test(name)) fail(`${kind} name "${name}" must be lowercase letters, digits and dashes`);
}

/** `/v1/platform/tenants/{tenantId}` → `/platform/tenants/{tenantId}`. */
export function stageRelativePath(routePath: string): string {
  const prefix = `/${apiStage}`;
  if (routePath !== prefix && !routePath.startsWith(`${prefix}/`)) {
    fail(`route path "${routePath}" must start with ${prefix}/`);
  }
  const rest = routePath.slice(prefix.length);
  const segments = rest.split('/').slice(1);
  for (const segment of segments) {
    if (!segmentPattern.test(segment)) fail(`route path "${routePath}" has an invalid segment "${segment}"`);
  }
  return rest === '' ? '/' : rest;
}

/**
 * How long one of a context's functions may run: an API function never outlives API Gateway's
 * 29 s integration limit, a Cognito trigger gets Cognito's 5 s, the rest the context's timeout.
 */
export function timeoutOf(ctx: ContextManifest, exportName: string): number {
  if ((ctx.triggers ?? []).some((t) => t.consumer === exportName)) return triggerTimeoutSeconds;
  const declared = ctx.timeoutSeconds ?? defaultTimeoutSeconds;
  return exportName === ctx.apiHandler ? Math.min(declared, defaultTimeoutSeconds) : declared;
}

export function deriveTopology(
  contexts: readonly ContextManifest[],
  authorizer: StandaloneFunctionDeclaration,
): Topology {
  const functions = new Map<string, FunctionSpec>();
  const bundles = new Map<string, string>();
  const contextNames = new Set<string>();

  const addFunction = (
    ctx: ContextManifest | StandaloneFunctionDeclaration,
    exportName: string,
    purpose: string,
    stack: FunctionSpec['stack'] = 'api',
  ): string => {
    if (!exportPattern.test(exportName))
      fail(`context ${ctx.name}: "${exportName}" is not a valid export name`);
    const id = `${ctx.name}-${exportName}`;
    const existing = functions.get(id);
    if (existing) return existing.id;
    const manifest = 'routes' in ctx ? ctx : undefined;
    const entry = manifest ? entryOf(manifest, exportName) : ctx.entry;
    // Each entry is its own bundle, so a function carries only the module graph of its own entry.
    const bundle = entry === ctx.entry ? ctx.name : `${ctx.name}-${bundleSuffix(entry)}`;
    functions.set(id, {
      id,
      context: ctx.name,
      entry,
      bundle,
      exportName,
      access: ctx.access,
      memorySize: manifest?.memorySize ?? defaultMemorySize,
      timeoutSeconds: manifest ? timeoutOf(manifest, exportName) : defaultTimeoutSeconds,
      description: `${ctx.name}: ${purpose}`,
      stack,
    });
    const bundled = bundles.get(bundle);
    if (bundled !== undefined && bundled !== entry) {
      fail(`context ${ctx.name}: entries ${bundled} and ${entry} would share the bundle "${bundle}"`);
    }
    bundles.set(bundle, entry);
    return id;
  };

  for (const ctx of [...contexts.map((c) => c.name), authorizer.name]) {
    checkName('context', ctx);
    if (contextNames.has(ctx)) fail(`context "${ctx}" is declared twice`);
    contextNames.add(ctx);
  }

  const authorizerFunctionId = addFunction(authorizer, authorizer.handler, 'API authorizer');

  const queueNames = new Set(contexts.flatMap((c) => (c.queues ?? []).map((q) => q.name)));
  const queues: QueueSpec[] = [];
  const streams: StreamSpec[] = [];
  const rules: RuleSpec[] = [];
  const schedules: ScheduleSpec[] = [];
  const triggers: TriggerSpec[] = [];
  const routesByPath = new Map<string, { functionId: string; context: string; routes: RouteDeclaration[] }>();
  const seenRoutes = new Set<string>();
  const seenOperations = new Set<string>();

  for (const ctx of contexts) {
    for (const q of ctx.access.queues ?? []) {
      if (!queueNames.has(q.name))
        fail(`context ${ctx.name}: access names queue "${q.name}", which no context declares`);
    }

    if (ctx.routes.length > 0) {
      if (!ctx.apiHandler) fail(`context ${ctx.name} declares routes but no apiHandler`);
      const functionId = addFunction(ctx, ctx.apiHandler, 'API routes');
      for (const route of ctx.routes) {
        const key = `${route.method} ${route.path}`;
        if (seenRoutes.has(key)) fail(`route ${key} is declared twice`);
        seenRoutes.add(key);
        if (seenOperations.has(route.operationId))
          fail(`operationId "${route.operationId}" is declared twice`);
        seenOperations.add(route.operationId);
        const path = stageRelativePath(route.path);
        const resource = routesByPath.get(path) ?? { functionId, context: ctx.name, routes: [] };
        if (resource.functionId !== functionId) {
          fail(
            `path ${route.path} has routes of contexts ${resource.context} and ${ctx.name}; a path belongs to one context`,
          );
        }
        resource.routes.push(route);
        routesByPath.set(path, resource);
      }
    }

    for (const declaration of ctx.queues ?? []) {
      checkName('queue', declaration.name);
      if (queues.some((q) => q.declaration.name === declaration.name))
        fail(`queue "${declaration.name}" is declared twice`);
      const functionId = addFunction(ctx, declaration.consumer, `consumer of queue ${declaration.name}`);
      const timeout = ctx.timeoutSeconds ?? defaultTimeoutSeconds;
      if (declaration.visibilityTimeoutSeconds < timeout) {
        // Lambda refuses an event source mapping whose queue could redeliver a message still being worked on.
        fail(
          `queue ${declaration.name}: visibilityTimeoutSeconds ${declaration.visibilityTimeoutSeconds} is shorter than the timeout of context ${ctx.name} (${timeout} s)`,
        );
      }
      queues.push({ context: ctx.name, declaration, functionId });
    }

    for (const declaration of ctx.streams ?? []) {
      if (declaration.eventNames.length === 0)
        fail(`context ${ctx.name}: stream consumer ${declaration.consumer} has no eventNames`);
      const functionId = addFunction(
        ctx,
        declaration.consumer,
        `stream consumer of ${declaration.entity} items`,
      );
      streams.push({ id: functionId, context: ctx.name, declaration, functionId });
    }

    for (const declaration of ctx.rules ?? []) {
      checkName('rule', declaration.name);
      const id = `${ctx.name}-${declaration.name}`;
      if (rules.some((r) => r.id === id))
        fail(`context ${ctx.name}: rule "${declaration.name}" is declared twice`);
      let target: RuleTarget;
      if ('queue' in declaration.target) {
        if (!queueNames.has(declaration.target.queue)) {
          fail(
            `context ${ctx.name}: rule ${declaration.name} targets queue "${declaration.target.queue}", which no context declares`,
          );
        }
        target = { kind: 'queue', queue: declaration.target.queue };
      } else {
        target = {
          kind: 'function',
          functionId: addFunction(ctx, declaration.target.consumer, `target of rule ${declaration.name}`),
        };
      }
      rules.push({ id, context: ctx.name, declaration, target });
    }

    for (const declaration of ctx.schedules ?? []) {
      checkName('schedule', declaration.name);
      const id = `${ctx.name}-${declaration.name}`;
      if (schedules.some((s) => s.id === id))
        fail(`context ${ctx.name}: schedule "${declaration.name}" is declared twice`);
      if (!/^(rate|cron|at)\(.+\)$/.test(declaration.expression)) {
        fail(
          `context ${ctx.name}: schedule ${declaration.name} has expression "${declaration.expression}"; use rate(...), cron(...) or at(...)`,
        );
      }
      if (declaration.expression.startsWith('cron(')) {
        try {
          parseCron(declaration.expression);
        } catch (error) {
          if (!(error instanceof CronExpressionError)) throw error;
          fail(`context ${ctx.name}: schedule ${declaration.name}: ${error.message}`);
        }
      }
      const functionId = addFunction(ctx, declaration.consumer, `schedule ${declaration.name}`);
      schedules.push({ id, context: ctx.name, declaration, functionId });
    }

    for (const declaration of ctx.triggers ?? []) {
      const owner = triggers.find((t) => t.declaration.trigger === declaration.trigger);
      if (owner) {
        fail(
          `context ${ctx.name}: the user pool has one ${declaration.trigger} trigger, already served by context ${owner.context}`,
        );
      }
      // A trigger's function lives in the data stack, so it cannot also serve API-stack work.
      if (functions.get(`${ctx.name}-${declaration.consumer}`)?.stack === 'api') {
        fail(
          `context ${ctx.name}: ${declaration.consumer} serves the ${declaration.trigger} trigger and something else; give the trigger an export of its own`,
        );
      }
      const functionId = addFunction(ctx, declaration.consumer, `${declaration.trigger} trigger`, 'data');
      triggers.push({ id: functionId, context: ctx.name, declaration, functionId });
    }
  }

  const resources = [...routesByPath.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, r]) => ({ path, functionId: r.functionId, routes: r.routes }));

  return {
    functions: [...functions.values()],
    bundles: [...bundles.entries()].map(([name, entry]) => ({ name, entry })),
    authorizerFunctionId,
    queues,
    streams,
    rules,
    schedules,
    triggers,
    resources,
  };
}

export function functionSpec(topology: Topology, id: string): FunctionSpec {
  const spec = topology.functions.find((f) => f.id === id);
  if (!spec) throw new Error(`no function "${id}" in the topology`);
  return spec;
}
