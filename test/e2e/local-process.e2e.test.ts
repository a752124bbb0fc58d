// `npm start` as a process manager, an IDE or a terminal treats it: stopped by SIGTERM or SIGHUP
// sent to npm itself, the runtime killed outright, started twice, asked for --help. Nothing it
// started may keep serving once it is told to stop or is gone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const folders: string[] = [];
const launched: ChildProcess[] = [];

afterAll(() => {
  for (const child of launched) {
    // A failed test must not leave a runtime behind either: the whole group goes.
    if (child.pid !== undefined && alive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie has exited; only its parent has not looked yet.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Started {
  npm: ChildProcess;
  dataDir: string;
  output: () => string;
  runtimePid: number;
  dynamoDbPid: number;
}

/** `npm start` in a process group of its own, as a process manager runs it, on a fresh data dir. */
async function npmStart(dataDir = mkdtempSync(join(tmpdir(), 'plinth-start-'))): Promise<Started> {
  folders.push(dataDir);
  const npm = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir, '--quiet'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launched.push(npm);
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(() => output.includes('Plinth is running') || npm.exitCode !== null, 'npm start is up', 90_000);
  if (!output.includes('Plinth is running')) throw new Error(`npm start failed:\n${output}`);
  const pidIn = (file: string) => Number(readFileSync(join(dataDir, file), 'utf8').match(/\d+/)![0]);
  return {
    npm,
    dataDir,
    output: () => output,
    runtimePid: pidIn('runtime.lock'),
    dynamoDbPid: pidIn('dynamodb/dynamodb-local.pid'),
  };
}

async function expectAllGone(started: Started, why: string): Promise<void> {
  await until(
    () => !alive(started.runtimePid) && !alive(started.dynamoDbPid),
    `the runtime and DynamoDB Local have exited after ${why}`,
  );
  expect(existsSync(join(started.dataDir, 'dynamodb', 'dynamodb-local.pid'))).toBe(false);
}

describe('npm start under faults', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)(
    '%s to npm stops the runtime and DynamoDB Local',
    async (signal) => {
      const started = await npmStart();

      process.kill(started.npm.pid!, signal);

      await expectAllGone(started, signal);
    },
  );

  it('a runtime killed outright takes DynamoDB Local with it, and the next start serves the same data', async () => {
    const first = await npmStart();

    process.kill(first.runtimePid, 'SIGKILL');
    await until(() => !alive(first.dynamoDbPid), 'DynamoDB Local has exited after its runtime was killed');
    await until(() => first.npm.exitCode !== null || first.npm.signalCode !== null, 'npm has exited');

    const next = await npmStart(first.dataDir);
    expect(next.dynamoDbPid).not.toBe(first.dynamoDbPid);
    process.kill(next.npm.pid!, 'SIGTERM');
    await expectAllGone(next, 'SIGTERM');
  });

  it('a second start on the same data dir is refused while the first runs', async () => {
    const first = await npmStart();

    const second = spawnSync('npm', ['start', '--', '--port', '0', '--data-dir', first.dataDir], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain(`another local Plinth (pid ${first.runtimePid})`);
    expect(alive(first.dynamoDbPid)).toBe(true);
    process.kill(first.npm.pid!, 'SIGTERM');
    await expectAllGone(first, 'SIGTERM');
  });
});

describe('npm start -- --help', () => {
  it('lists the options and environment variables and starts nothing', () => {
    const help = spawnSync('npm', ['start', '--silent', '--', '--help'], { cwd: root, encoding: 'utf8' });

    expect(help.status).toBe(0);
    for (const name of [
      '--port',
      '--data-dir',
      '--quiet',
      'PORT',
      'PLINTH_DATA_DIR',
      'PLINTH_LOCAL_REGION',
    ]) {
      expect(help.stdout).toContain(name);
    }
    expect(help.stdout).not.toContain('Plinth is running');
  });

  it('an unknown option is refused with a pointer to --help', () => {
    const refused = spawnSync('npm', ['start', '--silent', '--', '--prot', '4000'], {
      cwd: root,
      encoding: 'utf8',
    });

    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("Unknown option '--prot'");
    expect(refused.stderr).toContain('npm start -- --help');
  });
});
