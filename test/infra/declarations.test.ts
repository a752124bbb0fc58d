// Rules, schedules, queue consumers with batching windows and REMOVE stream consumers: none are
// declared by Plinth's contexts yet, so a context that declares them all shows they are wired.
import { Match, Template } from 'aws-cdk-lib/assertions';
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

const webhooks = defineContext({
  name: 'webhooks',
  description: 'Delivers events to tenant endpoints',
  entry: 'functions/webhooks/handler.ts',
  routes: [],
  queues: [
    {
      name: 'webhook-deliveries',
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
      target: { queue: 'webhook-deliveries' },
    },
    {
      name: 'suspensions',
      description: 'Pause deliveries of suspended tenants',
      pattern: { source: ['plinth'], 'detail-type': ['tenant.suspended'] },
      target: { consumer: 'onSuspended' },
    },
  ],
  schedules: [{ name: 'retry-sweep', expression: 'rate(5 minutes)', consumer: 'sweep' }],
  access: { table: 'read', queues: [{ name: 'webhook-deliveries', access: 'send' }] },
});

const region = 'eu-central-1';
let plinth: PlinthTestApp;
let data: Template;
let api: Template;

beforeAll(() => {
  plinth = buildPlinth({ contexts: [...contexts, webhooks] });
  const stacks = regionalStacks(plinth, region);
  data = Template.fromStack(stacks.data);
  api = Template.fromStack(stacks.api);
});

test('a rule to a queue lives beside the queue on the region bus, with the queue DLQ for undeliverable events', () => {
  const busId = logicalIdOf(data, 'AWS::Events::EventBus', 'EventsBus');
  const queueId = logicalIdOf(data, 'AWS::SQS::Queue', 'QueuewebhookdeliveriesQueue');
  const dlqId = logicalIdOf(data, 'AWS::SQS::Queue', 'QueuewebhookdeliveriesDeadLetters');
  data.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: busId },
    EventPattern: { source: ['plinth'], 'detail-type': [{ prefix: 'tenant.' }] },
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
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
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'webhooksonSuspendedFunction');
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
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'webhookssweepFunction');
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
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'webhooksdeliverFunction');
  api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: fn },
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 5,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test('a stream consumer of modifications and removals filters on the new and the old image', () => {
  const fn = logicalIdOf(api, 'AWS::Lambda::Function', 'webhooksonTenantChangeFunction');
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
    logicalIdOf(api, 'AWS::Lambda::Function', 'webhooksdeliverFunction')
  ];
  expect(
    (fn?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables
      .WEBHOOK_DELIVERIES_QUEUE_URL,
  ).toBeDefined();
  const policy = JSON.stringify(
    resourcesOfType(api, 'AWS::IAM::Policy')[logicalIdOf(api, 'AWS::IAM::Policy', 'webhookssweepRole')],
  );
  expect(policy).toContain('sqs:SendMessage');
  expect(policy).not.toContain('sqs:DeleteMessage');
});

test('the dashboard also watches the new dead-letter queues', () => {
  const dashboard = Object.values(resourcesOfType(api, 'AWS::CloudWatch::Dashboard'))[0];
  const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
  expect(body).toContain('webhook-deliveries DLQ');
  expect(body).toContain('rule and schedule deliveries');
});

test('all of it passes cdk-nag', () => {
  plinth.app.synth();
  expect(nagFindings(plinth.app)).toEqual([]);
});
