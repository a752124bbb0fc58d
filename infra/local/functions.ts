// Runs handler exports in this process the way Lambda runs them: each entry module is loaded once
// (the cold start), every invocation gets a Lambda context with a deadline, and an invocation that
// outlives its function's timeout fails as Lambda's would.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { entriesOf, entryOf, type ContextManifest } from '../../libs/manifest/types.ts';
import {
  defaultMemorySize,
  defaultTimeoutSeconds,
  timeoutOf,
  type StandaloneFunctionDeclaration,
} from '../topology.ts';
import { localAccountId, type FunctionOwner } from './environment.ts';

export type Handler = (event: unknown, context: Context) => unknown;

/** Loads an entry module (e.g. `functions/jobs/handler.ts`) and returns its exports. */
export type ModuleLoader = (entry: string) => Promise<Record<string, unknown>>;

export interface LocalFunction {
  /** `<context>-<export>`, as the topology names functions. */
  readonly id: string;
  invoke(event: unknown): Promise<unknown>;
}

export class FunctionTimeoutError extends Error {
  constructor(id: string, seconds: number) {
    super(`${id} timed out after ${seconds} s`);
    this.name = 'FunctionTimeoutError';
  }
}

export interface FunctionHostOptions {
  region: string;
  /** Prefixes function names, as the deployment name does on AWS. */
  namePrefix: string;
  /** @default a dynamic import of the entry, relative to `rootDir` */
  load?: ModuleLoader;
  /** @default the current working directory */
  rootDir?: string;
  /**
   * The environment each function sees while it loads and runs, as its stack would give it.
   * @default - every function sees this process's environment
   */
  environment?: (owner: FunctionOwner) => Record<string, string>;
}

/** A context or standalone function whose entry (and a context's other entries) the host loads. */
export type FunctionSource = FunctionOwner & Pick<ContextManifest, 'entry' | 'entries'>;

export interface FunctionHost {
  /** A handler export of a context; `exportName` must be one the manifest names. */
  forContext(context: ContextManifest, exportName: string): LocalFunction;
  forStandalone(declaration: StandaloneFunctionDeclaration): LocalFunction;
  /** Loads entries now, so a module that fails to load is reported at start-up; returns the failures. */
  preload(sources: readonly FunctionSource[]): Promise<Array<{ entry: string; error: unknown }>>;
  /** Runs `work` as code of `owner` would run: with its environment only (seeding data at start-up). */
  runAs<T>(owner: FunctionOwner, work: () => Promise<T>): Promise<T>;
}

function lambdaContext(name: string, region: string, memorySize: number, deadline: number): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${localAccountId}:function:${name}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

const scopedEnvironment = new AsyncLocalStorage<Record<string, string | undefined>>();
let environmentScoped = false;

/**
 * Makes `process.env` read the environment of the function whose code is running: handlers read it
 * when they load and when they run, and async work they start keeps their scope. Outside any
 * function it is this process's own environment.
 */
function scopeProcessEnvironment(): void {
  if (environmentScoped) return;
  environmentScoped = true;
  const own = process.env;
  const current = (): Record<string, string | undefined> => scopedEnvironment.getStore() ?? own;
  process.env = new Proxy(own, {
    get: (_, key) => (typeof key === 'string' ? current()[key] : undefined),
    set: (_, key, value) => {
      if (typeof key === 'string') current()[key] = String(value);
      return true;
    },
    has: (_, key) => key in current(),
    deleteProperty: (_, key) => (typeof key === 'string' ? delete current()[key] : true),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(current(), key),
  });
}

/** Runs `work` with `environment` as `process.env`, or in the caller's environment when there is none. */
function inEnvironment<T>(environment: Record<string, string> | undefined, work: () => T): T {
  return environment ? scopedEnvironment.run({ ...environment }, work) : work();
}

/** Wraps a handler as a function with Lambda's invocation contract; used by the host and by tests. */
export function localFunction(
  id: string,
  handler: () => Promise<Handler>,
  options: {
    region: string;
    name?: string;
    timeoutSeconds?: number;
    memorySize?: number;
    /** The environment it loads and runs in, asked for at its first call. @default - the caller's */
    environment?: () => Record<string, string> | undefined;
  },
): LocalFunction {
  const timeoutSeconds = options.timeoutSeconds ?? defaultTimeoutSeconds;
  const memorySize = options.memorySize ?? defaultMemorySize;
  return {
    id,
    async invoke(event) {
      const environment = options.environment?.();
      const run = await inEnvironment(environment, handler);
      const deadline = Date.now() + timeoutSeconds * 1000;
      const context = lambdaContext(options.name ?? id, options.region, memorySize, deadline);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FunctionTimeoutError(id, timeoutSeconds)), timeoutSeconds * 1000);
      });
      try {
        const result = inEnvironment(environment, () => Promise.resolve().then(() => run(event, context)));
        return await Promise.race([result, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export function createFunctionHost(options: FunctionHostOptions): FunctionHost {
  const rootDir = options.rootDir ?? process.cwd();
  const load: ModuleLoader =
    options.load ??
    (async (entry) => (await import(pathToFileURL(resolve(rootDir, entry)).href)) as Record<string, unknown>);
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  if (options.environment) scopeProcessEnvironment();
  const environments = new Map<string, Record<string, string>>();
  const environmentOf = (owner: FunctionOwner): Record<string, string> | undefined => {
    if (!options.environment) return undefined;
    let environment = environments.get(owner.name);
    if (!environment) {
      environment = options.environment(owner);
      environments.set(owner.name, environment);
    }
    return environment;
  };

  function loadOnce(source: FunctionSource): Promise<Record<string, unknown>> {
    const { entry } = source;
    let loaded = modules.get(entry);
    if (!loaded) {
      // The cold start runs in the function's own environment, as module-scope code reads it.
      loaded = inEnvironment(environmentOf(source), () => load(entry));
      modules.set(entry, loaded);
      // A module that failed to load is tried again on the next call, so fixing it needs no restart of the rest.
      loaded.catch(() => modules.delete(entry));
    }
    return loaded;
  }

  function exported(source: FunctionSource, exportName: string): () => Promise<Handler> {
    return async () => {
      const module = await loadOnce(source);
      const handler = module[exportName];
      if (typeof handler !== 'function') {
        throw new Error(`${source.entry} has no exported function "${exportName}"`);
      }
      return handler as Handler;
    };
  }

  return {
    forContext(context, exportName) {
      const id = `${context.name}-${exportName}`;
      const source = { ...context, entry: entryOf(context, exportName) };
      return localFunction(id, exported(source, exportName), {
        region: options.region,
        name: `${options.namePrefix}-${id}`,
        timeoutSeconds: timeoutOf(context, exportName),
        memorySize: context.memorySize ?? defaultMemorySize,
        environment: () => environmentOf(context),
      });
    },
    forStandalone(declaration) {
      const id = `${declaration.name}-${declaration.handler}`;
      return localFunction(id, exported(declaration, declaration.handler), {
        region: options.region,
        name: `${options.namePrefix}-${id}`,
        environment: () => environmentOf(declaration),
      });
    },
    runAs(owner, work) {
      return inEnvironment(environmentOf(owner), work);
    },
    async preload(sources) {
      const failures: Array<{ entry: string; error: unknown }> = [];
      for (const source of sources) {
        for (const entry of entriesOf(source)) {
          await loadOnce({ ...source, entry }).catch((error: unknown) => failures.push({ entry, error }));
        }
      }
      return failures;
    },
  };
}
