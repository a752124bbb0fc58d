// The local user pool over HTTP: Cognito's JSON 1.1 protocol (POST with `X-Amz-Target:
// AWSCognitoIdentityProviderService.<Operation>`, errors as `__type` + message with status 400), so
// the SDK's client works unchanged, and the pool's JWKS at `/<userPoolId>/.well-known/jwks.json`.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalLog } from '../log.ts';
import { CognitoError } from './protocol.ts';

export type Operation = (body: unknown) => unknown;

export interface IdentityServerOptions {
  operations: Readonly<Record<string, Operation>>;
  jwksPath: string;
  jwks: unknown;
  log: LocalLog;
  port: number;
  /** Serves the hosted sign-in's paths (OAuth 2.0 endpoints and pages); false for any other request. */
  hosted?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface IdentityServer {
  port: number;
  close(): Promise<void>;
}

const targetPrefix = 'AWSCognitoIdentityProviderService.';
const maxRequestBytes = 1024 * 1024;

function reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBytes)
      throw new CognitoError('InvalidParameterException', 'The request is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new CognitoError('SerializationException', 'The request body is not JSON.');
  }
}

export async function startIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const { operations, log } = options;

  async function call(req: IncomingMessage): Promise<unknown> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (req.method !== 'POST' || !operation) {
      req.resume();
      throw new CognitoError(
        'UnknownOperationException',
        `${target || 'the request'} is not an operation the local user pool implements.`,
      );
    }
    return operation(await readJson(req));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === options.jwksPath) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(options.jwks));
      return;
    }
    try {
      if (options.hosted && (await options.hosted(req, res))) return;
      reply(res, 200, await call(req));
    } catch (error) {
      if (error instanceof CognitoError) {
        reply(res, 400, { __type: error.type, message: error.message }, error.type);
        return;
      }
      log.error('the local identity issuer failed a request', error);
      reply(
        res,
        500,
        { __type: 'InternalErrorException', message: 'internal error' },
        'InternalErrorException',
      );
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
