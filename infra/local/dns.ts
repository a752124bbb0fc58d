// A DNS server on loopback that answers TXT questions from a records file, standing in for the
// public DNS a tenant publishes its domain verification record in. Names it does not hold answer
// NXDOMAIN, so nothing here ever reaches the real DNS.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import dns2 from 'dns2';

const { Packet } = dns2;

// What @types/dns2 leaves out of dns2 2.1.0's packets: the question's type and the response's rcode.
interface Question {
  name: string;
  type?: number;
}
interface ResponseHeader {
  header: { rcode: number };
}

/** TXT values by lowercase name, e.g. `{"_plinth-verification.acme.test": ["plinth-domain-verification=…"]}`. */
export type TxtRecords = Record<string, string[]>;

export interface LocalDns {
  /** `127.0.0.1:<port>`, for `Resolver.setServers`. */
  readonly server: string;
  /** Replaces the TXT values at `name`; an empty list removes the name. */
  setTxt(name: string, values: readonly string[]): void;
  records(): TxtRecords;
  stop(): Promise<void>;
}

export interface LocalDnsOptions {
  /** @default 0: a free port */
  port?: number;
  /** Where records persist; read on every question, so edits by hand apply at once. @default in memory */
  recordsFile?: string;
}

function readRecords(file: string): TxtRecords {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const records: TxtRecords = {};
    for (const [name, values] of Object.entries(parsed)) {
      if (Array.isArray(values)) records[name.toLowerCase()] = values.filter((v) => typeof v === 'string');
    }
    return records;
  } catch {
    return {};
  }
}

export async function startLocalDns(options: LocalDnsOptions = {}): Promise<LocalDns> {
  let memory: TxtRecords = {};
  const file = options.recordsFile;
  const records = () => (file ? readRecords(file) : memory);
  const save = (next: TxtRecords) => {
    if (file) writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
    else memory = next;
  };

  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions as Question[];
      const name = question?.name.toLowerCase().replace(/\.$/, '') ?? '';
      const values = records()[name];
      if (!values || values.length === 0) {
        (response as unknown as ResponseHeader).header.rcode = 3; // NXDOMAIN
      } else if (question?.type === Packet.TYPE.TXT) {
        for (const data of values) {
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 0,
            data,
          });
        }
      }
      send(response);
    },
  });
  server.on('requestError', () => undefined);
  const listening = new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  await server.listen({ udp: { port: options.port ?? 0, address: '127.0.0.1' } });
  await listening;
  const port = server.addresses().udp?.port;
  if (port === undefined) throw new Error('the local DNS server has no UDP address');

  return {
    server: `127.0.0.1:${port}`,
    setTxt(name, values) {
      const next = { ...records() };
      if (values.length === 0) delete next[name.toLowerCase()];
      else next[name.toLowerCase()] = [...values];
      save(next);
    },
    records,
    stop: () => server.close(),
  };
}
