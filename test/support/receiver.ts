// A real webhook receiver on 127.0.0.1 for tests: it records every request (headers and raw body),
// answers as a test scripts it per path (e.g. 500, 500, then 200), can hold a request open without
// answering, and can be stopped and started again on the same port to play an outage.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A status to answer with, a full answer, or `'hold'`: keep the request open until a test decides. */
export type Answer = number | { status: number; body?: string; headers?: Record<string, string> } | 'hold';

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Exactly the bytes that arrived, as UTF-8. */
  body: string;
  /** Date.now() when the whole body had arrived. */
  receivedAt: number;
}

export interface HeldRequest {
  request: ReceivedRequest;
  /** Answers it now. */
  respond(answer: Exclude<Answer, 'hold'>): void;
  /** Drops the connection without an answer, as a crashed receiver would. */
  drop(): void;
}

export interface Receiver {
  readonly port: number;
  /** `http://127.0.0.1:<port><path>`. */
  url(path?: string): string;
  /** What arrived so far, oldest first; only what arrived at `path` when given. */
  requests(path?: string): ReceivedRequest[];
  /** The next requests to `path` get these answers in order; after them, and unscripted, 200. */
  script(path: string, ...answers: Answer[]): void;
  /** Requests answered `'hold'` that are still open, oldest first. */
  held(): HeldRequest[];
  /** Closes the port: new connections are refused, open ones (and held requests) are cut. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function send(res: ServerResponse, answer: Exclude<Answer, 'hold'>): void {
  const { status, body = '', headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const scripts = new Map<string, Answer[]>();
  const holding = new Set<HeldRequest>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path,
        headers: headersOf(req),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      received.push(request);
      const answer = scripts.get(path)?.shift() ?? 200;
      if (answer !== 'hold') {
        send(res, answer);
        return;
      }
      const held: HeldRequest = {
        request,
        respond(final) {
          holding.delete(held);
          send(res, final);
        },
        drop() {
          holding.delete(held);
          res.destroy();
          req.socket.destroy();
        },
      };
      holding.add(held);
    });
  });

  let port = await listen(server, 0);
  let listening = true;

  return {
    get port() {
      return port;
    },
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    requests: (path) => received.filter((r) => path === undefined || r.path === path),
    script(path, ...answers) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...answers]);
    },
    held: () => [...holding],
    async stop() {
      if (!listening) return;
      listening = false;
      for (const held of [...holding]) held.drop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would otherwise keep taking requests after the port is closed.
      server.closeAllConnections();
      await closed;
    },
    async start() {
      if (listening) return;
      port = await listen(server, port);
      listening = true;
    },
  };
}
