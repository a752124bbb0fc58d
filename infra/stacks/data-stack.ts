// A region's stateful half: table, event bus and its schema registry, queues, buckets, secrets, the
// Scheduler group for delayed deliveries, and the user pool with its triggers. Retained on delete
// and termination-protected, so replacing the API stack never touches data.
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { eventCatalog, eventSource } from '../../events/catalog.ts';
import { zoneOf, type DeploymentConfig } from '../../libs/config/deployment.ts';
import { deploymentKeyNames, deploymentKeys, type DeploymentKey } from '../../libs/config/keys.ts';
import { mainTable } from '../../libs/data/design.ts';
import { AccessLogsBucket } from '../constructs/access-logs-bucket.ts';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import type { RegionalResources } from '../constructs/declared-access.ts';
import { EventDestinationRole } from '../constructs/event-destination-role.ts';
import { EventSchemaRegistry } from '../constructs/event-schema-registry.ts';
import { ExportsBucket } from '../constructs/exports-bucket.ts';
import { OneTimeSchedules } from '../constructs/one-time-schedules.ts';
import { PlinthEventBus } from '../constructs/plinth-event-bus.ts';
import { PlinthTable } from '../constructs/plinth-table.ts';
import { PlinthUserPool } from '../constructs/plinth-user-pool.ts';
import { QueueWithDlq } from '../constructs/queue-with-dlq.ts';
import { ServiceFunction, type HandlerCode } from '../constructs/service-function.ts';
import { WormBucket } from '../constructs/worm-bucket.ts';
import type { Topology } from '../topology.ts';
import {
  eventBusName,
  eventDestinationRulePrefix,
  scheduleGroupName,
  schemaRegistryName,
  userPoolDomainPrefix,
} from './names.ts';
import { toEventPattern } from './event-pattern.ts';
import { localConsoleOrigin } from '../console-client.ts';

export interface DataStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  readonly topology: Topology;
  /** Code of the functions that live here: the user pool's triggers. */
  readonly code: HandlerCode;
  /** A name, not a reference: the directory lives in the global stack of another region. */
  readonly directoryTableName: string;
}

export class DataStack extends Stack {
  readonly alarms: AlarmTopic;
  readonly table: PlinthTable;
  readonly bus: PlinthEventBus;
  /** Work queues by their declared name. */
  readonly queues: ReadonlyMap<string, QueueWithDlq>;
  /** On-failure destinations of the stream consumers, by stream id. */
  readonly streamFailures: ReadonlyMap<string, DeadLetterQueue>;
  readonly accessLogs: AccessLogsBucket;
  readonly documents: WormBucket;
  readonly backups: WormBucket;
  readonly exports: ExportsBucket;
  /** The deployment keys (libs/config/keys.ts), read by functions whose manifest lists them. */
  readonly keys: Readonly<Record<DeploymentKey, secretsmanager.Secret>>;
  readonly schedules: OneTimeSchedules;
  readonly eventDestinations: EventDestinationRole;
  readonly schemaRegistry: EventSchemaRegistry;
  readonly users: PlinthUserPool;
  /** The user pool's trigger functions, by function id. */
  readonly triggerFunctions: ReadonlyMap<string, ServiceFunction>;
  /** Everything here a function may be granted, for functions of this and the API stack. */
  readonly resources: RegionalResources;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const { deployment, topology } = props;

    this.alarms = new AlarmTopic(
      this,
      'Alarms',
      deployment.alarmEmail ? { email: deployment.alarmEmail } : {},
    );
    this.table = new PlinthTable(this, 'Table', { design: mainTable });
    this.bus = new PlinthEventBus(this, 'Events', { eventBusName: eventBusName(deployment) });

    const queues = new Map<string, QueueWithDlq>();
    for (const spec of topology.queues) {
      queues.set(
        spec.declaration.name,
        new QueueWithDlq(this, `Queue-${spec.declaration.name}`, {
          maxReceiveCount: spec.declaration.maxReceiveCount,
          visibilityTimeout: Duration.seconds(spec.declaration.visibilityTimeoutSeconds),
          alarmAction: this.alarms.action,
        }),
      );
    }
    this.queues = queues;

    const streamFailures = new Map<string, DeadLetterQueue>();
    for (const spec of topology.streams) {
      const failures = new DeadLetterQueue(this, `StreamFailures-${spec.id}`, {
        alarmAction: this.alarms.action,
        purpose: `stream records that ${spec.id} failed to process after ${spec.declaration.maxRetryAttempts} retries`,
      });
      streamFailures.set(spec.id, failures);
    }
    this.streamFailures = streamFailures;

    // A rule lives beside its queue: the queue's resource policy names the rule, so a rule in
    // another stack would make the two stacks depend on each other.
    for (const rule of topology.rules) {
      if (rule.target.kind !== 'queue') continue;
      const target = queues.get(rule.target.queue);
      if (!target) throw new Error(`rule ${rule.id}: no queue named "${rule.target.queue}"`);
      new events.Rule(this, `Rule-${rule.id}`, {
        eventBus: this.bus.bus,
        description: rule.declaration.description,
        eventPattern: toEventPattern(rule.declaration.pattern),
        targets: [
          // As for function targets: without an explicit policy EventBridge would retry for 24 h
          // up to 185 times, and the stacks should say what happens to an event, not inherit it.
          new targets.SqsQueue(target.queue, {
            deadLetterQueue: target.deadLetters.queue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    }

    this.accessLogs = new AccessLogsBucket(this, 'AccessLogs');
    this.documents = new WormBucket(this, 'Documents', {
      purpose: 'documents bucket',
      mode: s3.ObjectLockMode.GOVERNANCE,
      retention: Duration.days(deployment.retention.documentsDays),
      accessLogs: this.accessLogs.bucket,
    });
    this.backups = new WormBucket(this, 'Backups', {
      purpose: 'backups vault',
      mode: s3.ObjectLockMode.COMPLIANCE,
      retention: Duration.days(deployment.retention.backupsDays),
      accessLogs: this.accessLogs.bucket,
    });
    this.exports = new ExportsBucket(this, 'Exports', { accessLogs: this.accessLogs.bucket });

    this.keys = Object.fromEntries(
      deploymentKeyNames.map((name) => {
        const declaration = deploymentKeys[name];
        // A bare generated key is a key set of one; a rotation writes the set (README, Keys and rotation).
        const secret = new secretsmanager.Secret(this, declaration.constructId, {
          description: `${declaration.description} in this region`,
          generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
          removalPolicy: RemovalPolicy.RETAIN,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: declaration.rotates
            ? 'Rotated as a key set (current, previous until a grace ends) that functions re-read every few minutes; a rotation Lambda would have to wait out that grace, so the set is written by the operator (README, Keys and rotation).'
            : 'Every stored signing secret is sealed with this key; rotating it needs a re-sealing job that reads with the previous key, which is not built yet.',
        });
        return [name, secret];
      }),
    ) as Record<DeploymentKey, secretsmanager.Secret>;

    // Scheduler sends only to queues that a context allowed to schedule may send to itself.
    const scheduledQueues = new Set(
      topology.functions
        .filter((f) => f.access.scheduler)
        .flatMap((f) => (f.access.queues ?? []).filter((q) => q.access === 'send').map((q) => q.name)),
    );
    this.schedules = new OneTimeSchedules(this, 'Delays', {
      scheduleGroupName: scheduleGroupName(deployment),
      queues: [...scheduledQueues].flatMap((name) => {
        const queue = queues.get(name);
        return queue ? [queue.queue] : [];
      }),
    });

    const zone = zoneOf(deployment, this.region);
    if (!zone) throw new Error(`data stack ${id}: region ${this.region} is not a configured region`);
    this.eventDestinations = new EventDestinationRole(this, 'EventDestinations', {
      zone,
      eventBusName: eventBusName(deployment),
      rulePrefix: eventDestinationRulePrefix(deployment),
      alarmAction: this.alarms.action,
    });

    this.schemaRegistry = new EventSchemaRegistry(this, 'EventSchemas', {
      registryName: schemaRegistryName(deployment),
      catalog: eventCatalog,
      source: eventSource,
    });

    const withoutUserPool: RegionalResources = {
      deployment,
      table: this.table,
      directoryTableName: props.directoryTableName,
      bus: this.bus.bus,
      queues: new Map([...queues].map(([name, q]) => [name, q.queue])),
      deadLetterQueues: new Map([...queues].map(([name, q]) => [name, q.deadLetters.queue])),
      keys: this.keys,
      schedules: this.schedules,
      eventDestinations: this.eventDestinations,
    };
    this.triggerFunctions = this.createTriggerFunctions(topology, props.code, withoutUserPool);
    this.users = new PlinthUserPool(this, 'Users', {
      domainPrefix: userPoolDomainPrefix(deployment, this.region, this.account),
      consoleOrigin: deployment.domain?.console ? `https://${deployment.domain.console}` : localConsoleOrigin,
      triggers: topology.triggers.map((t) => {
        const fn = this.triggerFunctions.get(t.functionId);
        if (!fn) throw new Error(`no function for trigger ${t.id}`);
        return { trigger: t.declaration.trigger, function: fn.function };
      }),
    });
    this.resources = {
      ...withoutUserPool,
      userPool: { pool: this.users.userPool, clientIds: this.users.clientIds },
    };

    // Read by `npm run platform-key`, which writes the first platform admin key into this table.
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The main table' });
    new CfnOutput(this, 'UserPoolId', {
      value: this.users.userPool.userPoolId,
      description: 'The user pool',
    });
    new CfnOutput(this, 'UserPoolClientIds', {
      value: this.users.clientIds.join(','),
      description: 'App client ids: first-party (password and SRP sign-in), then console (hosted sign-in)',
    });
    new CfnOutput(this, 'HostedSignInUrl', {
      value: this.users.domain.baseUrl(),
      description: 'Base URL of the hosted sign-in pages',
    });
  }

  /**
   * The triggers' functions. They may not reference the pool that invokes them (the pool names
   * them, so each would wait for the other); the pool's id arrives in every trigger event instead.
   */
  private createTriggerFunctions(
    topology: Topology,
    code: HandlerCode,
    resources: RegionalResources,
  ): Map<string, ServiceFunction> {
    const functions = new Map<string, ServiceFunction>();
    for (const spec of topology.functions.filter((f) => f.stack === 'data')) {
      const { userPool: _pool, ...access } = spec.access;
      functions.set(
        spec.id,
        new ServiceFunction(this, spec.id, {
          context: spec.context,
          code: code.codeFor(spec.bundle, spec.exportName),
          exportName: spec.exportName,
          access,
          resources,
          description: `Plinth ${spec.description}`,
          memorySize: spec.memorySize,
          timeout: Duration.seconds(spec.timeoutSeconds),
        }),
      );
    }
    return functions;
  }
}
