// Tracing and metrics for every function, in one style: Powertools' tracer and metrics as middy
// middlewares. The tracer gives each invocation and each AWS SDK call its X-Ray subsegment (the
// clients are captured in clients.ts); metrics leave as CloudWatch EMF, with the service and, for
// the cold start, the function as their only dimensions. Tenant ids belong in log metadata: a
// dimension per tenant would make a metric per tenant, so this module offers no dimensions at all.
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

/** One per process: on AWS a process runs one function; elsewhere Powertools leaves tracing off. */
export const tracer = new Tracer();

/** The namespace of every Plinth metric, as the stacks also set it (POWERTOOLS_METRICS_NAMESPACE). */
export const metricsNamespace = 'Plinth';

export interface FunctionMetrics {
  /** Counts `value` of `name` in this invocation; published when the invocation ends. */
  count(name: string, value?: number): void;
  /** The middlewares that trace the invocation and publish its metrics, with the cold start's. */
  readonly middlewares: MiddlewareObj[];
}

/** Metrics of one function (each export its own, as the local runtime runs several in one process). */
export function createFunctionMetrics(
  serviceName: string,
  options: { logger?: Logger; metrics?: Metrics } = {},
): FunctionMetrics {
  const metrics =
    options.metrics ??
    new Metrics({
      namespace: metricsNamespace,
      serviceName,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  return {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    middlewares: [captureLambdaHandler(tracer), logMetrics(metrics, { captureColdStartMetric: true })],
  };
}
