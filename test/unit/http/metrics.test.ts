// What the shared API pipeline publishes as CloudWatch EMF: a cold start, how each request ended,
// and never a tenant id, in a dimension or anywhere else (tenant ids go in log metadata only).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createFunctionMetrics } from '../../../libs/aws/telemetry.ts';
import { createApiHandler } from '../../../libs/http/api-handler.ts';
import { Problem } from '../../../libs/http/problem.ts';
import { implement } from '../../../libs/http/route.ts';
import { defineRoute } from '../../../libs/manifest/types.ts';
import { apiEvent, lambdaContext, tenantCaller } from './api-events.ts';

const tenantId = 'ten_01JDMETRICS000000000000000';
const caller = tenantCaller(['widgets:read'], tenantId);

const getWidget = defineRoute({
  operationId: 'getWidget',
  method: 'GET',
  path: '/v1/widgets/{widgetId}',
  summary: 'Get a widget',
  tags: ['Widgets'],
  audience: 'tenant',
  permission: 'widgets:read',
  request: { params: z.strictObject({ widgetId: z.string() }) },
  responses: { 200: { description: 'The widget' } },
});

interface EmfLine {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

let written: string[];

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  // What Lambda sets in a container it started for a request, the one that counts a cold start.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function emfLines(): EmfLine[] {
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

function handlerFor(run: () => Promise<{ status: number; body?: unknown }>) {
  const logger = new Logger({ serviceName: 'widgets', logLevel: 'SILENT' });
  return createApiHandler({
    serviceName: 'widgets',
    logger,
    routes: [implement(getWidget, run)],
    metrics: createFunctionMetrics('widgets', {
      metrics: new Metrics({ namespace: 'Plinth', serviceName: 'widgets', logger }),
    }),
  });
}

const request = () =>
  apiEvent({ method: 'GET', path: '/v1/widgets/w_1', pathParameters: { widgetId: 'w_1' }, caller });

describe('API metrics', () => {
  it('publish the cold start and each outcome, by service, and never name the tenant', async () => {
    const answered = handlerFor(() => Promise.resolve({ status: 200, body: { tenantId } }));
    const refused = handlerFor(() =>
      Promise.reject(new Problem(404, 'not_found', `No widget in ${tenantId}.`)),
    );

    await answered(request(), lambdaContext());
    await refused(request(), lambdaContext());

    const lines = emfLines();
    const names = lines.flatMap((l) => l._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)));
    expect(names).toEqual(expect.arrayContaining(['ColdStart', 'RequestAnswered', 'RequestRefused']));
    for (const line of lines) {
      const dimensions = line._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions.flat());
      expect(
        dimensions.every((d) => d === 'service' || d === 'function_name'),
        JSON.stringify(line),
      ).toBe(true);
      expect(JSON.stringify(line)).not.toContain(tenantId);
    }
  });
});
