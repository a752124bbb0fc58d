// The contract between a route declaration (manifest) and its implementation (routes file).
import type * as z from 'zod';
import type { CallerContext } from '../auth/caller.ts';
import type { RouteDeclaration } from '../manifest/types.ts';

export interface RouteRequest<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** Present on every route whose audience is not `public`. */
  caller: CallerContext;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  requestId: string;
  /** The request path, for problem `instance` members. */
  path: string;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BoundRoute {
  declaration: RouteDeclaration;
  run: (request: RouteRequest) => Promise<RouteResponse>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** Binds an implementation to its declaration, typing its input from the declaration's schemas. */
export function implement<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  declaration: RouteDeclaration<P, Q, B>,
  run: (request: RouteRequest<Out<P>, Out<Q>, Out<B>>) => Promise<RouteResponse>,
): BoundRoute {
  return { declaration, run: run as BoundRoute['run'] };
}
