// Everything a manifest can declare, in one context that declares it all: rules, schedules, queue
// consumers with batching windows, REMOVE stream consumers, user pool triggers and every access kind.
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, test } from 'vitest';
import { contexts } from '../../functions/manifests.ts';
import { defineContext } from '../../libs/manifest/types.ts';
import {
  buildPlinth,
  logicalIdOf,
  nagFindings,
  regionalStacks,
  resourcesOfType,
  type PlinthTestApp,
} from './support.ts';

const relay = defineContext({
  name: 'relay',
  description: 'Relays events to tenant endpoints',
  entry: 'functions/relay/handler.ts',
  routes: [],
  queues: [
    {
      name: 'relay-deliveries',
      consumer: 'deliver',
      batchSize: 10,
      maxReceiveCount: 8,
      visibilityTimeoutSeconds: 120,
      maxBatchingWindowSeconds: 5,
    },
  ],
  streams: [
    {
      consumer: 'onTenantChange',
      batchSize: 10,
      entity: 'tenant',
      eventNames: ['MODIFY', 'REMOVE'],
      maxRetryAttempts: 3,
    },
  ],
  rules: [
    {
      name: 'tenant-events',
      description: 'Tenant events to deliver',
      pattern: { source: ['plinth'], 'detail-type': [{ prefix: 'tenant.' }] },
      target: { queue: 'relay-deliveries' },
    },
    {
      name: 'suspensions',
      description: 'Pause deliveries of suspended tenants',
      pattern: { source: ['plinth'], 'detail-type': ['tenant.suspended'] },
      target: { consumer: 'onSuspended' },
    },
  ],
  schedules: [{ name: 'retry-sweep', expression: 'rate(5 minutes)', consumer: 'sweep' }],
  triggers: [
    { trigger: 'preTokenGeneration', consumer: 'tokenClaims' },
    { trigger: 'customMessage', consumer: 'messages' },
  ],
  access: {
    table: 'read',
    keys: ['cursor', 'idempotency', 'mail', 'webhookSecret'],
    scheduler: true,
    mail: true,
    userPool: 'admin',
    eventDestinations: true,
    queues: [{ name: 'relay-deliveries', access: 'send' }],
  },
});

const region = 'eu-central-1';
let plinth: PlinthTestApp;
let data: Template;
let api: Template;

beforeAll(() => {
  // The user pool takes one function per trigger, so contexts that declare triggers make way.
  plinth = buildPlinth({ contexts: [...contexts.filter((c) => (c.triggers ?? []).length === 0), relay] });
  const stacks = regionalStacks(plinth, region);
  data = Template.fromStack(stacks.data);
  api = Template.fromStack(stacks.api);
});

test('a rule to a queue lives beside the queue on the region bus, retries, then parks undeliverable events in the queue DLQ', () => {
  const busId = logicalIdOf(data, 'AWS::Events::EventBus', 'EventsBus');
  const queueId = logicalIdOf(data, 'AWS::SQS::Queue', 'QueuerelaydeliveriesQueue');
  const dlqId = logicalIdOf(data, 'AWS::SQS::Queue', 'QueuerelaydeliveriesDeadLetters');
  data.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: busId },
    EventPattern: { source: ['plinth'], 'detail-type': [{ prefix: 'tenant.' }] },
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
      }),
    ],
  });
  data.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: queueId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: 'events.amazonaws.com' },
          Action: Match.arrayWith(['sqs:SendMessage']),
        }),
      ]),
    },
  });
});

test('a rule to a function retries, then parks the event in the delivery DLQ', () => {
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'relayonSuspendedFunction');
  const dlq = logicalIdOf(api, 'AWS::SQS::Queue', 'DeliveryFailures');
  api.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('EventsBus') },
    EventPattern: { source: ['plinth'], 'detail-type': ['tenant.suspended'] },
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
      }),
    ],
  });
  api.hasResourceProperties('AWS::Lambda::Permission', {
    FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
    Principal: 'events.amazonaws.com',
  });
});

test('a schedule invokes its consumer through EventBridge Scheduler, with retries and the delivery DLQ', () => {
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'relaysweepFunction');
  const dlq = logicalIdOf(api, 'AWS::SQS::Queue', 'DeliveryFailures');
  api.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'rate(5 minutes)',
    Target: Match.objectLike({
      Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
    }),
  });
});

test('a queue consumer gets its batch size and batching window', () => {
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'relaydeliverFunction');
  api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: fn },
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 5,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test('a stream consumer of modifications and removals filters on the new and the old image', () => {
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'relayonTenantChangeFunction');
  api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: fn },
    FilterCriteria: {
      Filters: [
        {
          Pattern: JSON.stringify({
            eventName: ['MODIFY'],
            dynamodb: { NewImage: { __edb_e__: { S: ['tenant'] } } },
          }),
        },
        {
          Pattern: JSON.stringify({
            eventName: ['REMOVE'],
            dynamodb: { OldImage: { __edb_e__: { S: ['tenant'] } } },
          }),
        },
      ],
    },
  });
});

test('functions that send to a queue are told its URL and may only send', () => {
  const fn = resourcesOfType(api, 'AWS::Lambda::Function')[
    logicalIdOf(api, 'AWS::Lambda::Function', 'relaydeliverFunction')
  ];
  expect(
    (fn?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables
      .RELAY_DELIVERIES_QUEUE_URL,
  ).toBeDefined();
  const policy = JSON.stringify(
    resourcesOfType(api, 'AWS::IAM::Policy')[logicalIdOf(api, 'AWS::IAM::Policy', 'relaysweepRole')],
  );
  expect(policy).toContain('sqs:SendMessage');
  expect(policy).not.toContain('sqs:DeleteMessage');
});

test('the dashboard also watches the new dead-letter queues', () => {
  const dashboard = Object.values(resourcesOfType(api, 'AWS::CloudWatch::Dashboard'))[0];
  const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
  expect(body).toContain('relay-deliveries DLQ');
  expect(body).toContain('rule and schedule deliveries');
});

test('the Scheduler role may send to the queues that contexts allowed to schedule send to', () => {
  const queueId = logicalIdOf(data, 'AWS::SQS::Queue', 'QueuerelaydeliveriesQueue');
  const roleId = logicalIdOf(data, 'AWS::IAM::Role', 'DelaysRole');
  const statements = Object.values(resourcesOfType(data, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
    );
  expect(statements.map((st) => st.Action)).toEqual(['sqs:SendMessage']);
  expect([statements[0]?.Resource].flat()).toContainEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
});

test('trigger functions live in the data stack, and their errors alarm on the regional dashboard', () => {
  const fn = logicalIdOf(data, 'AWS::Lambda::Function', 'relaytokenClaimsFunction');
  expect(
    Object.keys(resourcesOfType(api, 'AWS::Lambda::Function')).filter((id) =>
      id.startsWith('relaytokenClaims'),
    ),
  ).toEqual([]);
  data.hasResourceProperties('AWS::Cognito::UserPool', {
    LambdaConfig: Match.objectLike({
      PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [fn, 'Arn'] }, LambdaVersion: 'V2_0' },
    }),
  });
  api.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Metrics: Match.arrayWith([
      Match.objectLike({
        Id: 'failures',
        MetricStat: Match.objectLike({
          Metric: Match.objectLike({
            MetricName: 'Errors',
            Dimensions: [
              {
                Name: 'FunctionName',
                Value: { 'Fn::ImportValue': Match.stringLikeRegexp('relaytokenClaimsFunction') },
              },
            ],
          }),
        }),
      }),
    ]),
  });
});

test('all of it passes cdk-nag and breaches no residency zone', () => {
  plinth.app.synth();
  expect(nagFindings(plinth.app)).toEqual([]);
  for (const stack of [
    plinth.stacks.global,
    ...[...plinth.stacks.regions.values()].flatMap((r) => [r.data, r.api]),
  ]) {
    expect(
      Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^residency')),
      stack.stackName,
    ).toEqual([]);
  }
});
