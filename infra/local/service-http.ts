// The HTTP plumbing the AWS stand-ins share (event bus, scheduler, mail): loopback listening,
// bounded request bodies, and errors in the shape the SDK's protocols parse into named exceptions.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error the client caused; the SDK raises it as the exception named `type`. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The request body, refusing more than `limit` bytes with a ValidationException. */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new ServiceError('ValidationException', `The request is over the limit of ${limit} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body parsed as JSON; an empty body is `{}`, as REST-JSON operations without a payload send. */
export async function readJsonRequest(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readRequestBody(req, limit);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not JSON.');
  }
}

export function replyJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/**
 * Answers a ServiceError as the SDK expects it (status, `x-amzn-errortype`, the message under the
 * member name the service's error shapes use); anything else is logged and answered as a 500.
 */
export function replyError(
  res: ServerResponse,
  error: unknown,
  options: { messageField: string; contentType?: string; onInternal(error: unknown): void },
): void {
  const known =
    error instanceof ServiceError
      ? error
      : new ServiceError('InternalServerException', 'internal error', 500);
  if (!(error instanceof ServiceError)) options.onInternal(error);
  replyJson(
    res,
    known.status,
    { __type: known.type, [options.messageField]: known.message },
    {
      'x-amzn-errortype': known.type,
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
    },
  );
}

/** Listens on 127.0.0.1 (0 picks a free port) and returns the port. */
export async function listenOnLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops accepting connections and resolves once the open ones are closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
