// All of Plinth on one machine in one call: DynamoDB Local, SQS and S3, the event bus, the tables,
// queues and buckets, the function environment, a platform admin credential, the stream, queue and
// schedule pollers and the API. `npm start` (main.ts) calls it; so do e2e tests and the bench, each
// on its own data dir, and they may stop it and start it again on the same dir.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { authorizer as plinthAuthorizer, contexts as plinthContexts } from '../../functions/manifests.ts';
import { parseDeploymentConfig } from '../../libs/config/deployment.ts';
import { directoryTable, mainTable } from '../../libs/data/design.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import deploymentConfig from '../plinth.config.ts';
import { deriveTopology, type StandaloneFunctionDeclaration } from '../topology.ts';
import { startApiGateway } from './api-gateway.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb.ts';
import { createStreamsClient } from './dynamodb-streams.ts';
import { chooseRegion, functionEnvironment, localNames, type LocalEndpoints } from './environment.ts';
import { startEventBus, type LocalEventBus } from './event-bus.ts';
import { createFunctionHost } from './functions.ts';
import { createLocalLog } from './log.ts';
import { startQueuePollers } from './queue-pollers.ts';
import { startScheduler } from './scheduler.ts';
import { createBuckets, createDeclaredQueues, startSqsAndS3 } from './sqs-and-s3.ts';
import { readJsonFile, writeJsonFile } from './state-files.ts';
import { startStreamConsumers } from './stream-consumers.ts';
import { ensureTable, tableExists } from './tables.ts';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalPlinthOptions {
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default 4000 */
  port?: number;
  /**
   * Where everything that persists lives: DynamoDB's files (dynamodb/), secrets.json (cursor key,
   * admin key), stream positions, schedules, events.log and local.json.
   * @default `.plinth` at the repository root
   */
  dataDir?: string;
  /**
   * Use this running DynamoDB (e.g. a test run's DynamoDB Local) instead of starting one; the tables
   * are then created there, under the deployment's names.
   * @default a DynamoDB Local started on `<dataDir>/dynamodb`
   */
  dynamodbEndpoint?: string;
  /** The region to serve; must be a configured one. @default PLINTH_LOCAL_REGION, else the first configured region */
  region?: string;
  /** Only warnings and errors on the console (no request lines, no function info logs). @default false */
  quiet?: boolean;
  /** The contexts and authorizer to run. @default functions/manifests.ts */
  manifests?: { contexts: readonly ContextManifest[]; authorizer: StandaloneFunctionDeclaration };
}

export interface LocalPlinth {
  /** `http://127.0.0.1:<port>`, without `/v1`: route paths (`/v1/...`) follow it. */
  apiUrl: string;
  /** A platform admin API key, the same across restarts on one data dir. */
  adminApiKey: string;
  region: string;
  dataDir: string;
  endpoints: LocalEndpoints;
  /** What was published on the bus, and a way to wait for its deliveries. */
  bus: Pick<LocalEventBus, 'events' | 'settled'>;
  /** Stops pollers, servers and DynamoDB Local; resolves when nothing is left running. */
  stop(): Promise<void>;
}

const secretsSchema = z.object({
  cursorSecret: z.string().min(32),
  admin: z.object({ id: z.string(), secret: z.string() }).optional(),
});

const previousRunSchema = z
  .object({
    dynamodbEndpoint: z.string().optional(),
    sqsEndpoint: z.string().optional(),
    eventBridgeEndpoint: z.string().optional(),
  })
  .passthrough();

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

function lockDataDir(dataDir: string): () => void {
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
async function reusablePort(previous: string | undefined): Promise<number> {
  const port = previous ? Number(new URL(previous).port) : 0;
  return port > 0 && (await portIsFree(port)) ? port : 0;
}

export async function startLocalPlinth(options: LocalPlinthOptions = {}): Promise<LocalPlinth> {
  const log = createLocalLog({ quiet: options.quiet });
  const dataDir = resolve(options.dataDir ?? join(repositoryRoot, '.plinth'));
  const apiPort = options.port ?? 4000;
  const { contexts, authorizer } = options.manifests ?? {
    contexts: plinthContexts,
    authorizer: plinthAuthorizer,
  };
  deriveTopology(contexts, authorizer);
  const deployment = parseDeploymentConfig(deploymentConfig);
  const region = chooseRegion(deployment, options.region ?? process.env.PLINTH_LOCAL_REGION);
  const names = localNames(deployment, region);

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (options.quiet) process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

  if (apiPort !== 0 && !(await portIsFree(apiPort))) {
    throw new Error(
      `port ${apiPort} is already in use; stop what uses it or pick another (PORT=4001 npm start)`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const cleanups: Array<() => unknown> = [lockDataDir(dataDir)];
  const unwind = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error('stopping part of the local runtime failed', error);
      }
    }
  };

  try {
    const secretsFile = join(dataDir, 'secrets.json');
    const secrets = readJsonFile(secretsFile, secretsSchema) ?? {
      cursorSecret: randomBytes(32).toString('hex'),
    };
    writeJsonFile(secretsFile, secrets, { mode: 0o600 });
    const previous = readJsonFile(join(dataDir, 'local.json'), previousRunSchema) ?? {};
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const port = (await reusablePort(previous.dynamodbEndpoint)) || undefined;
      const db: DynamoDbLocal = await startDynamoDbLocal({
        dataDir: join(dataDir, 'dynamodb'),
        sharedDb: true,
        port,
      });
      cleanups.push(() => db.stop());
      dynamodbEndpoint = db.endpoint;
    }
    const sqsAndS3 = await startSqsAndS3({ region, port: await reusablePort(previous.sqsEndpoint) });
    cleanups.push(() => sqsAndS3.stop());

    const dynamodb = new DynamoDBClient({ endpoint: dynamodbEndpoint, region, credentials });
    const sqs = new SQSClient({ endpoint: sqsAndS3.endpoint, region, credentials });
    const s3 = new S3Client({ endpoint: sqsAndS3.endpoint, region, credentials, forcePathStyle: true });
    cleanups.push(() => [dynamodb, sqs, s3].forEach((client) => client.destroy()));

    const freshData = !(await tableExists(dynamodb, names.table));
    await ensureTable(dynamodb, names.table, mainTable, { stream: true });
    await ensureTable(dynamodb, names.directoryTable, directoryTable);
    const queues = await createDeclaredQueues(sqs, contexts, names);
    await createBuckets(s3, Object.values(names.buckets));

    const functions = createFunctionHost({ region, namePrefix: deployment.name, rootDir: repositoryRoot });
    const bus = await startEventBus({
      busName: names.eventBus,
      region,
      contexts,
      functions,
      log,
      port: await reusablePort(previous.eventBridgeEndpoint),
      eventsLogFile: join(dataDir, 'events.log'),
      sendToQueue: async (queue, body) => {
        const target = queues.get(queue);
        if (!target) throw new Error(`no queue named "${queue}"`);
        await sqs.send(new SendMessageCommand({ QueueUrl: target.url, MessageBody: body }));
      },
    });
    cleanups.push(() => bus.stop());

    const endpoints: LocalEndpoints = {
      dynamodb: dynamodbEndpoint,
      sqs: sqsAndS3.sqsEndpoint,
      s3: sqsAndS3.endpoint,
      eventBridge: bus.endpoint,
    };
    // Handler modules read their environment when first imported, so it is complete before any is loaded.
    Object.assign(
      process.env,
      functionEnvironment({
        deployment,
        region,
        names,
        queueUrls: new Map([...queues].map(([name, q]) => [name, q.url])),
        cursorSecret: secrets.cursorSecret,
        endpoints,
      }),
    );

    const failures = await functions.preload([...contexts.map((c) => c.entry), authorizer.entry]);
    for (const { entry, error } of failures) {
      log.error(`${entry} could not be loaded; what it serves fails until it loads`, error);
    }

    if (!secrets.admin || freshData) {
      const { createPlatformAdminKey } = await import('../../functions/tenants/platform-admin.ts');
      secrets.admin = await createPlatformAdminKey({ name: 'local platform admin' });
      writeJsonFile(secretsFile, secrets, { mode: 0o600 });
    }

    const streams = await startStreamConsumers({
      dynamodb,
      streams: createStreamsClient({
        endpoint: dynamodbEndpoint,
        region,
        accessKeyId: credentials.accessKeyId,
      }),
      tableName: names.table,
      region,
      contexts,
      functions,
      checkpointFile: join(dataDir, 'stream-positions.json'),
      failuresFile: join(dataDir, 'stream-failures.log'),
      log,
    });
    cleanups.push(() => streams.stop());
    const pollers = startQueuePollers({ sqs, queues, contexts, functions, region, log });
    cleanups.push(() => pollers.stop());
    const scheduler = startScheduler({
      contexts,
      functions,
      region,
      stateFile: join(dataDir, 'schedules.json'),
      log,
    });
    cleanups.push(() => scheduler.stop());

    const api = await startApiGateway({ contexts, authorizer, functions, region, log, port: apiPort });
    cleanups.push(() => api.close());

    writeJsonFile(
      join(dataDir, 'local.json'),
      {
        apiUrl: api.url,
        paths: 'every route path starts with /v1, e.g. <apiUrl>/v1/openapi.json',
        adminApiKey: secrets.admin.secret,
        adminApiKeyId: secrets.admin.id,
        region,
        dataDir,
        dynamodbEndpoint,
        sqsEndpoint: sqsAndS3.endpoint,
        s3Endpoint: sqsAndS3.endpoint,
        eventBridgeEndpoint: bus.endpoint,
        tables: { main: names.table, directory: names.directoryTable },
        eventBusName: names.eventBus,
        queues: Object.fromEntries(
          [...queues].map(([name, q]) => [name, { url: q.url, deadLetterUrl: q.deadLetterUrl }]),
        ),
        buckets: names.buckets,
        pid: process.pid,
        startedAt: new Date().toISOString(),
      },
      { mode: 0o600 },
    );

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      adminApiKey: secrets.admin.secret,
      region,
      dataDir,
      endpoints,
      bus: { events: () => bus.events(), settled: () => bus.settled() },
      stop: () => (stopping ??= unwind()),
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
