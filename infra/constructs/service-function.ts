// One Lambda function of a bounded context: Node.js 22 on arm64, JSON logs in its own log group,
// X-Ray tracing, the runtime environment every Plinth function parses at cold start, and exactly
// the permissions its manifest's `access` declaration asks for.
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AccessDeclaration } from '../../libs/manifest/types.ts';
import { baseVariables } from '../function-environment.ts';
import { grantDeclaredAccess, type RegionalResources } from './declared-access.ts';

export type { RegionalResources } from './declared-access.ts';

/** Where a function's code comes from: the bundler's output, or a stand-in in infra tests. */
export interface HandlerCode {
  /** The code of bundle `name` (a context), which must export `exportName`. */
  codeFor(name: string, exportName: string): lambda.Code;
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
/**
 * What a resource name or ARN filled in by CloudFormation is counted as. The longest values Plinth passes
 * are queue URLs (an 80-character generated queue name behind the regional endpoint, about 140
 * bytes); ARNs of generated roles and secrets stay under that.
 */
const tokenValueBytes = 160;

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

    // Grants go to the role, so the variables naming what was granted are known before the function is.
    const granted = grantDeclaredAccess(this.role, props.context, access, resources);

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
      environment: this.environment(props, granted),
      ...(props.description ? { description: props.description } : {}),
    });

    this.acknowledgeFindings();
  }

  private environment(props: ServiceFunctionProps, granted: Record<string, string>): Record<string, string> {
    const { resources } = props;
    const environment: Record<string, string> = {
      ...baseVariables({
        deployment: resources.deployment,
        region: Stack.of(this).region,
        context: props.context,
        tableName: resources.table.table.tableName,
        directoryTableName: resources.directoryTableName,
        eventBusName: resources.bus.eventBusName,
      }),
      NODE_OPTIONS: '--enable-source-maps',
      ...granted,
    };

    const size = Object.entries(environment).reduce(
      (sum, [key, value]) =>
        sum + key.length + (Token.isUnresolved(value) ? tokenValueBytes : Buffer.byteLength(value)),
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
