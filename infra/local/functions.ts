// Runs handler exports in this process the way Lambda runs them: each entry module is loaded once
// (the cold start), every invocation gets a Lambda context with a deadline, and an invocation that
// outlives its function's timeout fails as Lambda's would.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import {
  defaultMemorySize,
  defaultTimeoutSeconds,
  timeoutOf,
  type StandaloneFunctionDeclaration,
} from '../topology.ts';
import { localAccountId } from './environment.ts';

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
}

export interface FunctionHost {
  /** A handler export of a context; `exportName` must be one the manifest names. */
  forContext(context: ContextManifest, exportName: string): LocalFunction;
  forStandalone(declaration: StandaloneFunctionDeclaration): LocalFunction;
  /** Loads entries now, so a module that fails to load is reported at start-up; returns the failures. */
  preload(entries: readonly string[]): Promise<Array<{ entry: string; error: unknown }>>;
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

/** Wraps a handler as a function with Lambda's invocation contract; used by the host and by tests. */
export function localFunction(
  id: string,
  handler: () => Promise<Handler>,
  options: { region: string; name?: string; timeoutSeconds?: number; memorySize?: number },
): LocalFunction {
  const timeoutSeconds = options.timeoutSeconds ?? defaultTimeoutSeconds;
  const memorySize = options.memorySize ?? defaultMemorySize;
  return {
    id,
    async invoke(event) {
      const run = await handler();
      const deadline = Date.now() + timeoutSeconds * 1000;
      const context = lambdaContext(options.name ?? id, options.region, memorySize, deadline);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FunctionTimeoutError(id, timeoutSeconds)), timeoutSeconds * 1000);
      });
      try {
        return await Promise.race([Promise.resolve().then(() => run(event, context)), timeout]);
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

  function loadOnce(entry: string): Promise<Record<string, unknown>> {
    let loaded = modules.get(entry);
    if (!loaded) {
      loaded = load(entry);
      modules.set(entry, loaded);
      // A module that failed to load is tried again on the next call, so fixing it needs no restart of the rest.
      loaded.catch(() => modules.delete(entry));
    }
    return loaded;
  }

  function exported(entry: string, exportName: string): () => Promise<Handler> {
    return async () => {
      const module = await loadOnce(entry);
      const handler = module[exportName];
      if (typeof handler !== 'function') throw new Error(`${entry} has no exported function "${exportName}"`);
      return handler as Handler;
    };
  }

  return {
    forContext(context, exportName) {
      const id = `${context.name}-${exportName}`;
      return localFunction(id, exported(context.entry, exportName), {
        region: options.region,
        name: `${options.namePrefix}-${id}`,
        timeoutSeconds: timeoutOf(context, exportName),
        memorySize: context.memorySize ?? defaultMemorySize,
      });
    },
    forStandalone(declaration) {
      const id = `${declaration.name}-${declaration.handler}`;
      return localFunction(id, exported(declaration.entry, declaration.handler), {
        region: options.region,
        name: `${options.namePrefix}-${id}`,
      });
    },
    async preload(entries) {
      const failures: Array<{ entry: string; error: unknown }> = [];
      for (const entry of new Set(entries)) {
        await loadOnce(entry).catch((error: unknown) => failures.push({ entry, error }));
      }
      return failures;
    },
  };
}
