import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createApiHandler } from '../../../libs/http/api-handler.ts';
import { implement } from '../../../libs/http/route.ts';
import { defineRoute } from '../../../libs/manifest/types.ts';
import { apiEvent, lambdaContext, tenantCaller } from './api-events.ts';

const getThing = defineRoute({
  operationId: 'getThing',
  method: 'GET',
  path: '/v1/things/{thingId}',
  summary: 'Get a thing',
  tags: ['Things'],
  audience: 'tenant',
  permission: 'things:read',
  request: { params: z.strictObject({ thingId: z.string() }) },
  responses: { 200: { description: 'The thing' } },
});

function captureLogs(): string[] {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('request logs', () => {
  it('carry the tenant id and request id, never the credential', async () => {
    const logs = captureLogs();
    const logger = new Logger({ serviceName: 'things', logLevel: 'INFO' });
    const handler = createApiHandler({
      serviceName: 'things',
      logger,
      routes: [implement(getThing, () => Promise.reject(new Error('store unavailable')))],
    });
    const caller = tenantCaller(['things:read'], 'ten_01J0000000000000000000LOGS');

    await handler(
      apiEvent({
        method: 'GET',
        path: '/v1/things/t1',
        caller,
        headers: { Authorization: 'Bearer plk_secret_value' },
      }),
      lambdaContext(),
    );

    const failure = logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.message === 'request failed');
    expect(failure).toMatchObject({ tenantId: 'ten_01J0000000000000000000LOGS', operationId: 'getThing' });
    expect(failure?.requestId).toMatch(/^gw-request-/);
    expect(logs.join('\n')).not.toContain('plk_secret_value');
  });

  it('do not keep one request’s tenant on the next request', async () => {
    const logs = captureLogs();
    const logger = new Logger({ serviceName: 'things', logLevel: 'INFO' });
    const handler = createApiHandler({
      serviceName: 'things',
      logger,
      routes: [implement(getThing, () => Promise.resolve({ status: 200, body: {} }))],
    });

    await handler(
      apiEvent({ method: 'GET', path: '/v1/things/t1', caller: tenantCaller(['things:read']) }),
      lambdaContext(),
    );
    await handler(apiEvent({ method: 'GET', path: '/v1/things/t1' }), lambdaContext());

    const refused = logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.message === 'request refused');
    expect(refused).toBeDefined();
    expect(refused).not.toHaveProperty('tenantId');
  });
});
