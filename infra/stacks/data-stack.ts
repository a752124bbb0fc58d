// A region's stateful half: table, event bus, queues, buckets, the cursor secret and the user
// pool. Retained on delete and termination-protected, so replacing the API stack never touches data.
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import { mainTable } from '../../libs/data/design.ts';
import { AccessLogsBucket } from '../constructs/access-logs-bucket.ts';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { ExportsBucket } from '../constructs/exports-bucket.ts';
import { PlinthEventBus } from '../constructs/plinth-event-bus.ts';
import { PlinthTable } from '../constructs/plinth-table.ts';
import { PlinthUserPool } from '../constructs/plinth-user-pool.ts';
import { QueueWithDlq } from '../constructs/queue-with-dlq.ts';
import { WormBucket } from '../constructs/worm-bucket.ts';
import type { Topology } from '../topology.ts';
import { eventBusName } from './names.ts';
import { toEventPattern } from './event-pattern.ts';

export interface DataStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  readonly topology: Topology;
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
  /** Signs pagination cursors; read by functions whose manifest asks for `cursorSecret`. */
  readonly cursorSecret: secretsmanager.Secret;
  readonly users: PlinthUserPool;

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
        targets: [new targets.SqsQueue(target.queue, { deadLetterQueue: target.deadLetters.queue })],
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

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'Signs Plinth pagination cursors in this region',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the cursor key would invalidate every outstanding cursor; rotation needs a verifier that accepts the previous key, which is not built yet.',
    });

    this.users = new PlinthUserPool(this, 'Users');

    // Read by `npm run platform-key`, which writes the first platform admin key into this table.
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The main table' });
  }
}
