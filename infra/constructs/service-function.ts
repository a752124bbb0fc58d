// One Lambda function of a bounded context: Node.js 22 on arm64, JSON logs in its own log group,
// X-Ray tracing, the runtime environment every Plinth function parses at cold start, and exactly
// the permissions its manifest's `access` declaration asks for.
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { AccessDeclaration } from '../../libs/manifest/types.ts';
import type { PlinthTable } from './plinth-table.ts';
import { TenantDirectory } from './tenant-directory.ts';

/** Where a function's code comes from: the bundler's output, or a stand-in in infra tests. */
export interface HandlerCode {
  /** The code of bundle `name` (a context), which must export `exportName`. */
  codeFor(name: string, exportName: string): lambda.Code;
}

/** The regional resources a function may be granted, and whose names it is told. */
export interface RegionalResources {
  readonly deployment: DeploymentConfig;
  readonly table: PlinthTable;
  /** Physical name of the tenant directory; its replica in this stack's region is the one used. */
  readonly directoryTableName: string;
  readonly bus: events.IEventBus;
  /** Queues by their declared name. */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  readonly cursorSecret: secretsmanager.ISecret;
}

export interface ServiceFunctionProps {
  /** The bounded context; becomes POWERTOOLS_SERVICE_NAME. */
  readonly context: string;
  readonly code: lambda.Code;
  /** Export of the bundle's `index.mjs` that Lambda invokes. */
  readonly exportName: string;
  /** What the function may touch; it is granted exactly this. */
  readonly access: AccessDeclaration;
  readonly resources: RegionalResources;
  /** @default - no description */
  readonly description?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(29) */
  readonly timeout?: Duration;
  /** How long the function's logs are kept. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/** Lambda's limit on the total size of a function's environment variables. */
const environmentLimitBytes = 4096;

/** `jobs` → `JOBS_QUEUE_URL`, `webhook-deliveries` → `WEBHOOK_DELIVERIES_QUEUE_URL`. */
export function queueUrlVariable(queueName: string): string {
  return `${queueName.toUpperCase().replace(/-/g, '_')}_QUEUE_URL`;
}

export class ServiceFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { access, resources } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    // An own role instead of the AWS managed basic execution policy: it may write to its log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Plinth ${props.context} function (${props.exportName})`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: `index.${props.exportName}`,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: this.environment(props),
      ...(props.description ? { description: props.description } : {}),
    });

    if (access.table) resources.table.grantData(this.function, access.table);
    if (access.directory) {
      TenantDirectory.grantReplica(this.function, resources.directoryTableName, access.directory);
    }
    if (access.bus === 'put') resources.bus.grantPutEventsTo(this.function);
    for (const q of access.queues ?? []) {
      const queue = resources.queues.get(q.name);
      if (!queue) throw new Error(`context ${props.context}: no queue named "${q.name}" in this region`);
      if (q.access === 'send') queue.grantSendMessages(this.function);
      else queue.grantConsumeMessages(this.function);
    }
    if (access.cursorSecret) resources.cursorSecret.grantRead(this.function);

    this.acknowledgeFindings();
  }

  private environment(props: ServiceFunctionProps): Record<string, string> {
    const { access, resources } = props;
    const environment: Record<string, string> = {
      PLINTH_DEPLOYMENT: JSON.stringify(resources.deployment),
      PLINTH_REGION: Stack.of(this).region,
      TABLE_NAME: resources.table.table.tableName,
      DIRECTORY_TABLE_NAME: resources.directoryTableName,
      EVENT_BUS_NAME: resources.bus.eventBusName,
      POWERTOOLS_SERVICE_NAME: props.context,
      POWERTOOLS_METRICS_NAMESPACE: 'Plinth',
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const q of access.queues ?? []) {
      const queue = resources.queues.get(q.name);
      if (queue) environment[queueUrlVariable(q.name)] = queue.queueUrl;
    }
    if (access.cursorSecret) environment.CURSOR_SECRET_ARN = resources.cursorSecret.secretArn;

    // Resource names are tokens here; count them at a generous 256 bytes so the check is conservative.
    const size = Object.entries(environment).reduce(
      (sum, [key, value]) => sum + key.length + (Token.isUnresolved(value) ? 256 : Buffer.byteLength(value)),
      0,
    );
    if (size > environmentLimitBytes) {
      throw new Error(
        `function ${this.node.path}: environment would be about ${size} bytes, over Lambda's ${environmentLimitBytes}; shrink the deployment config (PLINTH_DEPLOYMENT is ${environment.PLINTH_DEPLOYMENT?.length ?? 0} bytes)`,
      );
    }
    return environment;
  }

  private acknowledgeFindings(): void {
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the handlers are bundled (esbuild target node22) and tested for; it moves with them.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.',
    });
  }
}
