// A region's stateless half: one function per handler export of every context, the REST API with
// its authorizer and routes, the stream and queue consumers, rules and schedules that target
// functions, and the dashboard. Everything here can be replaced without touching data.
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { StreamConsumerDeclaration } from '../../libs/manifest/types.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { PlinthApi } from '../constructs/plinth-api.ts';
import { RegionalDashboard } from '../constructs/regional-dashboard.ts';
import { ServiceFunction, type HandlerCode } from '../constructs/service-function.ts';
import type { Topology } from '../topology.ts';
import type { DataStack } from './data-stack.ts';
import { toEventPattern } from './event-pattern.ts';

export interface ApiStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  readonly topology: Topology;
  /** The data stack of the same region. */
  readonly data: DataStack;
  readonly code: HandlerCode;
}

/** ElectroDB writes the entity name of every item into this attribute. */
const entityAttribute = '__edb_e__';

/**
 * Filters that let only the declared entity's records reach the consumer: inserts and
 * modifications are recognised by their new image, removals by their old one.
 */
export function streamFilters(declaration: StreamConsumerDeclaration): Array<Record<string, unknown>> {
  // FilterRule's helpers are typed `any`; what they build are arrays of match values.
  const isEntity: unknown = lambda.FilterRule.isEqual(declaration.entity);
  const isRemove: unknown = lambda.FilterRule.isEqual('REMOVE');
  const entity = { [entityAttribute]: { S: isEntity } };
  const changes = declaration.eventNames.filter((name) => name !== 'REMOVE');
  const filters: Array<Record<string, unknown>> = [];
  if (changes.length > 0) {
    filters.push(
      lambda.FilterCriteria.filter({
        eventName: lambda.FilterRule.or(...changes),
        dynamodb: { NewImage: entity },
      }),
    );
  }
  if (declaration.eventNames.includes('REMOVE')) {
    filters.push(lambda.FilterCriteria.filter({ eventName: isRemove, dynamodb: { OldImage: entity } }));
  }
  return filters;
}

export class ApiStack extends Stack {
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  readonly api: PlinthApi;
  readonly dashboard: RegionalDashboard;
  private deliveryFailures: DeadLetterQueue | undefined;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { deployment, topology, data } = props;

    const functions = new Map<string, ServiceFunction>();
    for (const spec of topology.functions.filter((f) => f.stack === 'api')) {
      functions.set(
        spec.id,
        new ServiceFunction(this, spec.id, {
          context: spec.context,
          code: props.code.codeFor(spec.bundle, spec.exportName),
          exportName: spec.exportName,
          access: spec.access,
          resources: data.resources,
          description: `Plinth ${spec.description}`,
          memorySize: spec.memorySize,
          timeout: Duration.seconds(spec.timeoutSeconds),
        }),
      );
    }
    this.functions = functions;
    const service = (functionId: string): ServiceFunction => {
      const found = functions.get(functionId);
      if (!found) throw new Error(`no function "${functionId}" in stack ${this.stackName}`);
      return found;
    };
    const fn = (functionId: string): lambda.Function => service(functionId).function;

    this.api = new PlinthApi(this, 'Api', {
      restApiName: `${deployment.name}-${this.region}`,
      authorizerFunction: fn(topology.authorizerFunctionId),
      authorizerCacheTtl: Duration.seconds(deployment.authorizerCacheSeconds),
      plans: deployment.plans,
    });
    for (const resource of topology.resources) {
      this.api.addRoutes(resource.path, resource.routes, fn(resource.functionId));
    }

    for (const stream of topology.streams) {
      const failures = data.streamFailures.get(stream.id);
      if (!failures) throw new Error(`no failure queue for stream consumer ${stream.id}`);
      const consumer = service(stream.functionId);
      consumer.function.addEventSource(
        new sources.DynamoEventSource(data.table.table, {
          // A consumer must see every record still in the stream, including those written before it was deployed.
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: stream.declaration.batchSize,
          retryAttempts: stream.declaration.maxRetryAttempts,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          onFailure: new sources.SqsDlq(failures.queue),
          filters: streamFilters(stream.declaration),
        }),
      );
    }

    for (const queue of topology.queues) {
      const target = data.queues.get(queue.declaration.name);
      if (!target) throw new Error(`no queue named "${queue.declaration.name}"`);
      const window = queue.declaration.maxBatchingWindowSeconds;
      fn(queue.functionId).addEventSource(
        new sources.SqsEventSource(target.queue, {
          batchSize: queue.declaration.batchSize,
          reportBatchItemFailures: true,
          ...(window === undefined ? {} : { maxBatchingWindow: Duration.seconds(window) }),
        }),
      );
    }

    for (const rule of topology.rules) {
      if (rule.target.kind !== 'function') continue;
      new events.Rule(this, `Rule-${rule.id}`, {
        eventBus: data.bus.bus,
        description: rule.declaration.description,
        eventPattern: toEventPattern(rule.declaration.pattern),
        targets: [
          new targets.LambdaFunction(fn(rule.target.functionId), {
            deadLetterQueue: this.deliveryFailureQueue(data).queue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
    }

    for (const schedule of topology.schedules) {
      const target = fn(schedule.functionId);
      const role = new iam.Role(this, `Schedule-${schedule.id}-Role`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
        description: `Lets EventBridge Scheduler run ${schedule.id}`,
      });
      const functionLogicalId = this.resolve(
        (target.node.defaultChild as lambda.CfnFunction).logicalId,
      ) as string;
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
        reason:
          "The Scheduler target's grant also covers the function's versions and aliases; the role can invoke this one function only.",
      });
      new scheduler.Schedule(this, `Schedule-${schedule.id}`, {
        description: `${schedule.context}: ${schedule.declaration.name}`,
        schedule: scheduler.ScheduleExpression.expression(schedule.declaration.expression),
        target: new schedulerTargets.LambdaInvoke(target, {
          role,
          deadLetterQueue: this.deliveryFailureQueue(data).queue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      });
    }

    this.dashboard = new RegionalDashboard(this, 'Dashboard', {
      dashboardName: `${deployment.name}-${this.region}`,
      api: this.api.restApi,
      functions: [...functions, ...data.triggerFunctions].map(([label, f]) => ({
        label,
        function: f.function,
      })),
      authorizer: fn(topology.authorizerFunctionId),
      streamConsumers: topology.streams.map((stream) => ({
        label: stream.id,
        function: fn(stream.functionId),
      })),
      workQueues: [...data.queues].map(([name, q]) => ({ label: name, queue: q.queue })),
      deadLetterQueues: [
        ...[...data.queues].map(([name, q]) => ({ label: `${name} DLQ`, queue: q.deadLetters.queue })),
        ...[...data.streamFailures].map(([name, q]) => ({
          label: `${name} stream failures`,
          queue: q.queue,
        })),
        ...(this.deliveryFailures
          ? [{ label: 'rule and schedule deliveries', queue: this.deliveryFailures.queue }]
          : []),
      ],
      alarmAction: data.alarms.action,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.restApi.url,
      description: 'Base URL of the API; routes follow it, e.g. <url>openapi.json',
    });
  }

  /** Events and schedules that could not be delivered to a function, created with the first such target. */
  private deliveryFailureQueue(data: DataStack): DeadLetterQueue {
    this.deliveryFailures ??= new DeadLetterQueue(this, 'DeliveryFailures', {
      alarmAction: data.alarms.action,
      purpose: 'events and schedules that could not be delivered to a function',
    });
    return this.deliveryFailures;
  }
}
