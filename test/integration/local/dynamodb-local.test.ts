// DynamoDB Local as the local runtime starts it: on the loopback interface only, and never two on one
// folder, even when the process that started the first one could not stop it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../infra/local/dynamodb.ts';

const started: DynamoDbLocal[] = [];
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((db) => db.stop()));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-dynamodb-local-'));
  folders.push(dir);
  return dir;
}

async function start(dataDir?: string): Promise<DynamoDbLocal> {
  const db = await startDynamoDbLocal({ dataDir });
  started.push(db);
  return db;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The local addresses of the sockets listening on `port`, as /proc/net/tcp{,6} writes them (hex). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
      .map((fields) => fields[1]!.split(':')[0]!),
  );
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('listens on 127.0.0.1 only, not on the other addresses of this machine', async () => {
  const db = await start();

  expect(await connects('127.0.0.1', db.port)).toBe(true);
  const others = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal)
    .map((address) => address!.address);
  for (const address of others) expect(await connects(address, db.port), address).toBe(false);
  if (existsSync('/proc/net/tcp')) {
    // 127.0.0.1, or the same as an IPv4-mapped IPv6 address; a wildcard would be zeros.
    for (const address of listeningAddresses(db.port)) {
      expect(['0100007F', '0000000000000000FFFF00000100007F']).toContain(address);
    }
  }
});

it('stops a DynamoDB Local left serving its folder before it starts another there', async () => {
  const dataDir = folder();
  const left = await start(dataDir);

  const next = await start(dataDir);

  expect(await connects('127.0.0.1', left.port)).toBe(false);
  expect(await connects('127.0.0.1', next.port)).toBe(true);
});

it('leaves alone a process its pid file names when that is not a DynamoDB Local of the folder', async () => {
  const dataDir = folder();
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  writeFileSync(join(dataDir, 'dynamodb-local.pid'), `${other.pid}\n`);

  await start(dataDir);

  expect(alive(other.pid!)).toBe(true);
  other.kill();
});
