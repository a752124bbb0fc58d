// The local API Gateway over real HTTP with Plinth's own authorizer and API handler behind it, on
// DynamoDB Local: what a client is answered for a refused credential, two credentials, and bodies
// the API must not take in.
import { request as httpRequest } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ApiGateway } from '../../../infra/local/api-gateway.ts';
import { createApiHandler } from '../../../libs/http/api-handler.ts';
import { implement } from '../../../libs/http/route.ts';
import { defineContext, defineRoute } from '../../../libs/manifest/types.ts';
import { useFunctionEnv } from '../../support/function-env.ts';
import {
  apiKeyFixture,
  sampleTenantId,
  storedApiKey,
  storedTenant,
  tenantItem,
} from '../../support/items.ts';
import { createTestTables } from '../../support/tables.ts';
import { startTestGateway, testAuthorizerEntry } from '../../support/local-gateway.ts';

const routes = {
  listNotes: defineRoute({
    operationId: 'listNotes',
    method: 'GET',
    path: '/v1/notes',
    summary: 'List notes',
    tags: ['Notes'],
    audience: 'tenant',
    permission: 'tenant:read',
    responses: { 200: { description: 'Notes' } },
  }),
  createNote: defineRoute({
    operationId: 'createNote',
    method: 'POST',
    path: '/v1/notes',
    summary: 'Create a note',
    tags: ['Notes'],
    audience: 'tenant',
    permission: 'tenant:read',
    request: { body: z.record(z.string(), z.unknown()) },
    responses: { 201: { description: 'The note' } },
    idempotent: false,
  }),
};

const notes = defineContext({
  name: 'notes',
  description: 'test',
  entry: 'test/notes.ts',
  apiHandler: 'api',
  routes: Object.values(routes),
  access: {},
});

const active = apiKeyFixture();
const revoked = apiKeyFixture(undefined, { status: 'revoked' });
const wrongSecret = apiKeyFixture();
// A key id nobody issued, in a well-formed token.
const unknown = apiKeyFixture();

let gateway: ApiGateway;

beforeAll(async () => {
  const tables = await createTestTables();
  const documents = DynamoDBDocumentClient.from(tables.client);
  for (const item of [
    storedTenant(tenantItem({ tenantId: sampleTenantId })),
    storedApiKey(active.item),
    storedApiKey(revoked.item),
    storedApiKey({ ...wrongSecret.item, secretHash: active.item.secretHash }),
  ]) {
    await documents.send(new PutCommand({ TableName: tables.tableName, Item: item }));
  }
  useFunctionEnv({ TABLE_NAME: tables.tableName, AWS_ENDPOINT_URL_DYNAMODB: tables.endpoint });
  const authorizer = (await import('../../../functions/authorizer/handler.ts')) as Record<string, unknown>;
  const api = createApiHandler({
    serviceName: 'notes',
    logger: new Logger({ serviceName: 'notes', logLevel: 'SILENT' }),
    routes: [
      implement(routes.listNotes, () => Promise.resolve({ status: 200, body: { items: [] } })),
      implement(routes.createNote, ({ body }) => Promise.resolve({ status: 201, body })),
    ],
  });
  const modules: Record<string, Record<string, unknown>> = {
    [testAuthorizerEntry]: authorizer,
    'test/notes.ts': { api },
  };
  gateway = await startTestGateway([notes], modules);
});

afterAll(async () => {
  await gateway?.close();
});

interface Answer {
  status: number;
  body: { code?: string; detail?: string; errors?: Array<{ path: string; code: string }> } & Record<
    string,
    unknown
  >;
}

/** Raw HTTP, so a request can carry a header twice and a body that is not UTF-8. */
function send(
  method: string,
  path: string,
  authorization: string | string[] | undefined,
  body?: Buffer | string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gateway.url}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'],
        }),
      );
    });
    req.on('error', reject);
    if (authorization !== undefined) req.setHeader('Authorization', authorization);
    if (body !== undefined) req.setHeader('Content-Type', 'application/json');
    req.end(body);
  });
}

const bearer = (token: string) => `Bearer ${token}`;

describe('credentials through the local API Gateway', () => {
  it('lets a valid key through', async () => {
    expect((await send('GET', '/v1/notes', bearer(active.token))).status).toBe(200);
  });

  it('says why a credential was refused, an unknown key and a wrong secret alike', async () => {
    const none = await send('GET', '/v1/notes', undefined);
    const unknownKey = await send('GET', '/v1/notes', bearer(unknown.token));
    const badSecret = await send('GET', '/v1/notes', bearer(wrongSecret.token));
    const revokedKey = await send('GET', '/v1/notes', bearer(revoked.token));
    const notPlinth = await send('GET', '/v1/notes', bearer('something-else'));

    for (const answer of [none, unknownKey, badSecret, revokedKey, notPlinth]) {
      expect([answer.status, answer.body.code]).toEqual([401, 'unauthorized']);
    }
    expect(badSecret.body.detail).toBe(unknownKey.body.detail);
    const details = [none, unknownKey, revokedKey, notPlinth].map((a) => a.body.detail);
    expect(new Set(details).size).toBe(details.length);
  });

  it('refuses two Authorization headers with 400 multiple_credentials, even when both are valid', async () => {
    for (const pair of [
      [bearer(active.token), bearer(active.token)],
      [bearer(revoked.token), bearer(active.token)],
    ]) {
      const answer = await send('GET', '/v1/notes', pair);
      expect([answer.status, answer.body.code]).toEqual([400, 'multiple_credentials']);
    }
  });
});

describe('request bodies through the local API Gateway', () => {
  it('refuses a body that is not UTF-8 with 400 malformed_json instead of storing U+FFFD', async () => {
    const latin1 = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const answer = await send('POST', '/v1/notes', bearer(active.token), latin1);
    expect([answer.status, answer.body.code]).toEqual([400, 'malformed_json']);
  });

  it('takes UTF-8 beyond ASCII as sent', async () => {
    const answer = await send('POST', '/v1/notes', bearer(active.token), '{"name":"café 🚀"}');
    expect([answer.status, answer.body.name]).toEqual([201, 'café 🚀']);
  });
});
