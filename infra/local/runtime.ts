// All of Plinth on one machine in one call: DynamoDB Local, SQS and S3, the event bus, the
// scheduler API, the mail outbox, the tables, queues and buckets, the function environment, a
// platform admin credential, the stream, queue and schedule pollers and the API. `npm start`
// (main.ts) calls it; so do e2e tests and the bench, each on its own data dir, and they may stop it
// and start it again on the same dir.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { authorizer as plinthAuthorizer, contexts as plinthContexts } from '../../functions/manifests.ts';
import { parseDeploymentConfig, type DeploymentConfig } from '../../libs/config/deployment.ts';
import { directoryTable, mainTable } from '../../libs/data/design.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import deploymentConfig from '../plinth.config.ts';
import { deriveTopology, type StandaloneFunctionDeclaration } from '../topology.ts';
import { startApiGateway } from './api-gateway.ts';
import { startLocalDns, type LocalDns } from './dns.ts';
import { startLocalOidcServer, type LocalOidcServer } from './idps/oidc-server.ts';
import { startLocalSamlServer, type LocalSamlServer } from './idps/saml-server.ts';
import { lockDataDir, loadSecrets, portIsFree, readPreviousRun, reusablePort } from './data-dir.ts';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb.ts';
import { createStreamsClient } from './dynamodb-streams.ts';
import {
  chooseRegion,
  functionEnvironment,
  localAccountId,
  localNames,
  type FunctionEnvironmentInput,
  type LocalEndpoints,
} from './environment.ts';
import { startEventBus, type LocalEventBus } from './event-bus.ts';
import { createFunctionHost } from './functions.ts';
import { startLocalIdentity } from './identity/index.ts';
import { writeLocalState } from './local-state.ts';
import { createLocalLog } from './log.ts';
import { startQueuePollers } from './queue-pollers.ts';
import { startMail, type LocalMail } from './mail.ts';
import { startScheduler } from './scheduler.ts';
import { startSchedulerApi, type LocalSchedulerApi } from './scheduler-api.ts';
import {
  createBuckets,
  createDeclaredQueues,
  createFailureQueues,
  queueUrlsByArn,
  sendWithAttributes,
  startSqsAndS3,
} from './sqs-and-s3.ts';
import { startStreamConsumers } from './stream-consumers.ts';
import { ensureTable, tableExists } from './tables.ts';
import { runMigrations } from '../../libs/data/migrations.ts';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalPlinthOptions {
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default 4000 */
  port?: number;
  /**
   * Where everything that persists lives: DynamoDB's files (dynamodb/), secrets.json (deployment keys,
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
  /**
   * Changes the deployment config before it is used (validated again afterwards), e.g. a shorter
   * `webhooks.retryScheduleSeconds` in tests. @default infra/plinth.config.ts as it is
   */
  deployment?: (config: DeploymentConfig) => DeploymentConfig;
}

export interface LocalPlinth {
  /** `http://127.0.0.1:<port>`, without `/v1`: route paths (`/v1/...`) follow it. */
  apiUrl: string;
  /** A platform admin API key, the same across restarts on one data dir. */
  adminApiKey: string;
  region: string;
  dataDir: string;
  endpoints: LocalEndpoints;
  /** What was published on the bus and forwarded to other accounts, and a way to wait for deliveries. */
  bus: Pick<LocalEventBus, 'events' | 'forwarded' | 'settled'>;
  /** The mail outbox (also at `GET <apiUrl>/local/mail`). */
  mail: Pick<LocalMail, 'messages'>;
  /** The DNS server domain verification asks, and its TXT records (`<dataDir>/dns-records.json`). */
  dns: Pick<LocalDns, 'server' | 'setTxt' | 'records'>;
  /** A SAML identity provider with test users, for SSO connections. */
  samlIdp: Pick<LocalSamlServer, 'url' | 'metadataUrl' | 'entityId' | 'ssoUrl' | 'users'>;
  /** An OpenID Connect provider with a test client and test users, for OIDC SSO connections. */
  oidcIdp: Pick<LocalOidcServer, 'url' | 'issuer' | 'discoveryUrl' | 'client' | 'users' | 'oneTimeCode'>;
  /** Where and how users sign in: the local user pool and its first-party app client. */
  /** The user pool: its Cognito API, the first-party client, and the console's hosted sign-in. */
  identity: {
    endpoint: string;
    userPoolId: string;
    clientId: string;
    consoleClientId: string;
    hostedUrl: string;
  };
  /** The one-time schedules created through the scheduler API, and a way to send the due ones now. */
  scheduler: Pick<LocalSchedulerApi, 'schedules' | 'tick'>;
  /** Stops pollers, servers and DynamoDB Local; resolves when nothing is left running. */
  stop(): Promise<void>;
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
  const configured = parseDeploymentConfig(deploymentConfig);
  const deployment = options.deployment ? parseDeploymentConfig(options.deployment(configured)) : configured;
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
    const { secrets, save: saveSecrets } = loadSecrets(dataDir);
    const previous = readPreviousRun(dataDir);
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
    // Items an earlier release wrote get what this one reads, as `npm run migrate` does on AWS.
    if (!freshData) {
      for (const done of await runMigrations(dynamodb, names.table)) {
        if (done.updated > 0) log.info(`migration ${done.migration}: ${done.updated} items updated`);
      }
    }
    const queues = await createDeclaredQueues(sqs, contexts, names);
    const failureQueues = await createFailureQueues(sqs, contexts, names);
    await createBuckets(s3, Object.values(names.buckets));

    // Filled in once every stand-in is up; no function loads before then.
    const up: { environment?: FunctionEnvironmentInput } = {};
    const functions = createFunctionHost({
      region,
      namePrefix: deployment.name,
      rootDir: repositoryRoot,
      environment: (owner) => {
        if (!up.environment) throw new Error(`${owner.name} was loaded before the local services were up`);
        return functionEnvironment(up.environment, owner);
      },
    });
    const bus = await startEventBus({
      busName: names.eventBus,
      region,
      contexts,
      functions,
      log,
      port: await reusablePort(previous.eventBridgeEndpoint),
      eventsLogFile: join(dataDir, 'events.log'),
      rulesFile: join(dataDir, 'bus-rules.json'),
      forwardedEventsFile: join(dataDir, 'forwarded-events.log'),
      sendToQueue: async (queue, body) => {
        const target = queues.get(queue);
        if (!target) throw new Error(`no queue named "${queue}"`);
        await sqs.send(new SendMessageCommand({ QueueUrl: target.url, MessageBody: body }));
      },
      targetArn: (target) =>
        'queue' in target
          ? (queues.get(target.queue)?.arn ?? target.queue)
          : `arn:aws:lambda:${region}:${localAccountId}:function:${deployment.name}-${target.function}`,
      sendToDeadLetterQueue: async (target, message) => {
        const url = 'queue' in target ? queues.get(target.queue)?.deadLetterUrl : failureQueues.deliveries;
        if (!url) throw new Error(`no dead-letter queue for ${JSON.stringify(target)}`);
        await sendWithAttributes(sqs, url, message);
      },
    });
    cleanups.push(() => bus.stop());

    const queueUrls = queueUrlsByArn(queues);
    const schedulerApi = await startSchedulerApi({
      region,
      groups: [names.scheduleGroup],
      stateFile: join(dataDir, 'one-time-schedules.json'),
      queueUrl: (arn) => queueUrls.get(arn),
      sendMessage: async (queueUrl, body) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      },
      log,
      port: await reusablePort(previous.schedulerEndpoint),
    });
    cleanups.push(() => schedulerApi.stop());
    const mail = await startMail({
      outboxFile: join(dataDir, 'mail.log'),
      region,
      verifiedIdentities: [deployment.mailFrom],
      log,
      port: await reusablePort(previous.sesEndpoint),
    });
    cleanups.push(() => mail.stop());
    const triggers = contexts.flatMap((c) => (c.triggers ?? []).map((t) => ({ context: c, ...t })));
    const identity = await startLocalIdentity({
      stateFile: join(dataDir, `identity-${region}.json`),
      region,
      log,
      port: await reusablePort(previous.identityEndpoint),
      invokeTrigger: (trigger, event) => {
        const target = triggers.find((t) => t.trigger === trigger);
        return target ? functions.forContext(target.context, target.consumer).invoke(event) : undefined;
      },
    });
    cleanups.push(() => identity.stop());
    const dns = await startLocalDns({ recordsFile: join(dataDir, 'dns-records.json') });
    cleanups.push(() => dns.stop());
    // The same port as last time: connections made from its metadata name its URLs.
    const samlIdp = await startLocalSamlServer({
      port: await reusablePort(previous.samlIdp?.url),
      stateFile: join(dataDir, 'saml-idp.json'),
    });
    cleanups.push(() => samlIdp.stop());
    // Likewise: connections name its issuer, and tokens it signed stay verifiable with its kept keys.
    const oidcIdp = await startLocalOidcServer({
      port: await reusablePort(previous.oidcIdp?.url),
      stateFile: join(dataDir, 'oidc-idp.json'),
    });
    cleanups.push(() => oidcIdp.stop());
    // Chosen before the handlers see their environment, which names it among the ports webhooks refuse.
    const listenPort = apiPort === 0 ? await freePort() : apiPort;

    const endpoints: LocalEndpoints = {
      dynamodb: dynamodbEndpoint,
      sqs: sqsAndS3.sqsEndpoint,
      s3: sqsAndS3.endpoint,
      eventBridge: bus.endpoint,
      scheduler: schedulerApi.endpoint,
      ses: mail.endpoint,
      cognito: identity.endpoint,
    };
    up.environment = {
      deployment,
      region,
      names,
      queues,
      keys: secrets.keys,
      identity,
      endpoints,
      processEnv: process.env,
      apiPort: listenPort,
      dnsServer: dns.server,
    };

    const failures = await functions.preload([...contexts, authorizer]);
    for (const { entry, error } of failures) {
      log.error(`${entry} could not be loaded; what it serves fails until it loads`, error);
    }

    if (!secrets.admin || freshData) {
      const { createPlatformAdminKey } = await import('../../functions/tenants/platform-admin.ts');
      const tenants = contexts.find((c) => c.name === 'tenants');
      if (!tenants) throw new Error('the tenants context is not among the manifests; it seeds the admin key');
      secrets.admin = await functions.runAs(tenants, () =>
        createPlatformAdminKey({ name: 'local platform admin' }),
      );
      saveSecrets();
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
      sendToFailureQueue: async (consumer, record) => {
        const url = failureQueues.streams.get(consumer);
        if (!url) throw new Error(`no failure queue for stream consumer ${consumer}`);
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: record }));
      },
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

    const api = await startApiGateway({
      contexts,
      authorizer,
      functions,
      region,
      log,
      port: listenPort,
      localRoutes: [
        {
          method: 'GET',
          path: '/local/mail',
          answer: (query) => mail.messages({ to: query.get('to') ?? undefined }),
        },
      ],
    });
    cleanups.push(() => api.close());

    writeLocalState({
      apiUrl: api.url,
      admin: secrets.admin,
      region,
      dataDir,
      endpoints,
      sqsAndS3Endpoint: sqsAndS3.endpoint,
      identity,
      names,
      queues,
      samlIdp,
      oidcIdp,
    });

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      adminApiKey: secrets.admin.secret,
      region,
      dataDir,
      endpoints,
      bus: { events: () => bus.events(), forwarded: () => bus.forwarded(), settled: () => bus.settled() },
      mail: { messages: (filter) => mail.messages(filter) },
      samlIdp: {
        url: samlIdp.url,
        metadataUrl: samlIdp.metadataUrl,
        entityId: samlIdp.entityId,
        ssoUrl: samlIdp.ssoUrl,
        users: samlIdp.users,
      },
      oidcIdp: {
        url: oidcIdp.url,
        issuer: oidcIdp.issuer,
        discoveryUrl: oidcIdp.discoveryUrl,
        client: oidcIdp.client,
        users: oidcIdp.users,
        oneTimeCode: oidcIdp.oneTimeCode,
      },
      dns: {
        server: dns.server,
        setTxt: (name, values) => dns.setTxt(name, values),
        records: () => dns.records(),
      },
      identity: {
        endpoint: identity.endpoint,
        userPoolId: identity.userPoolId,
        clientId: identity.clientIds.firstParty,
        consoleClientId: identity.clientIds.console,
        hostedUrl: identity.hostedUrl,
      },
      scheduler: { schedules: () => schedulerApi.schedules(), tick: () => schedulerApi.tick() },
      stop: () => (stopping ??= unwind()),
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
