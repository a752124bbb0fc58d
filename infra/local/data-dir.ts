// What the local runtime keeps in its data dir between runs: the lock that keeps two runtimes off
// one dir, the generated secrets, and the ports of the previous run, taken again when free.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as z from 'zod';
import { deploymentKeyNames, type DeploymentKey } from '../../libs/config/keys.ts';
import { readJsonFile, writeJsonFile } from './state-files.ts';

const secretsSchema = z.object({
  keys: z.partialRecord(z.enum(deploymentKeyNames), z.string().min(32)).optional(),
  // Where data dirs of earlier versions kept the two keys they had.
  cursorSecret: z.string().min(32).optional(),
  webhookSecretKey: z.string().min(32).optional(),
  admin: z.object({ id: z.string(), secret: z.string() }).optional(),
});
export interface LocalSecrets {
  keys: Record<DeploymentKey, string>;
  admin?: { id: string; secret: string } | undefined;
}

const previousRunSchema = z
  .object({
    dynamodbEndpoint: z.string().optional(),
    sqsEndpoint: z.string().optional(),
    eventBridgeEndpoint: z.string().optional(),
    schedulerEndpoint: z.string().optional(),
    sesEndpoint: z.string().optional(),
    identityEndpoint: z.string().optional(),
    samlIdp: z.object({ url: z.string() }).partial().optional(),
    oidcIdp: z.object({ url: z.string() }).partial().optional(),
  })
  .passthrough();
export type PreviousRun = z.infer<typeof previousRunSchema>;

/** The data dir this process runs a runtime on; another process is detected by its lock file. */
const runningHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir for this process; the returned function releases it. */
export function lockDataDir(dataDir: string): () => void {
  // Handlers read one process-wide environment, so two runtimes in one process would share it.
  if (runningHere.size > 0)
    throw new Error(`a local Plinth is already running in this process (on ${[...runningHere].join(', ')})`);
  const file = join(dataDir, 'runtime.lock');
  const holder = readJsonFile(file, z.object({ pid: z.number() }));
  if (holder && holder.pid !== process.pid && processAlive(holder.pid)) {
    throw new Error(`another local Plinth (pid ${holder.pid}) is running on ${dataDir}; stop it first`);
  }
  writeJsonFile(file, { pid: process.pid });
  runningHere.add(dataDir);
  return () => {
    runningHere.delete(dataDir);
    rmSync(file, { force: true });
  };
}

/** secrets.json: generated once, then the same on every start (tokens and sealed data stay valid). */
export function loadSecrets(dataDir: string): { secrets: LocalSecrets; save: () => void } {
  const file = join(dataDir, 'secrets.json');
  const saved = readJsonFile(file, secretsSchema);
  const earlier: Partial<Record<DeploymentKey, string>> = {
    ...(saved?.cursorSecret ? { cursor: saved.cursorSecret } : {}),
    ...(saved?.webhookSecretKey ? { webhookSecret: saved.webhookSecretKey } : {}),
  };
  const keys = Object.fromEntries(
    deploymentKeyNames.map((name) => [
      name,
      saved?.keys?.[name] ?? earlier[name] ?? randomBytes(32).toString('hex'),
    ]),
  ) as Record<DeploymentKey, string>;
  const secrets: LocalSecrets = { keys, ...(saved?.admin ? { admin: saved.admin } : {}) };
  const save = () => writeJsonFile(file, secrets, { mode: 0o600 });
  save();
  return { secrets, save };
}

export function readPreviousRun(dataDir: string): PreviousRun {
  return readJsonFile(join(dataDir, 'local.json'), previousRunSchema) ?? {};
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/**
 * Handler modules stay loaded for the life of the process and keep the endpoints they first saw,
 * so a runtime restarted in the same process takes the same ports again when it can.
 */
export async function reusablePort(previous: string | undefined): Promise<number> {
  const port = previous ? Number(new URL(previous).port) : 0;
  return port > 0 && (await portIsFree(port)) ? port : 0;
}
