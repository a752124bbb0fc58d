// Each access kind a manifest can declare: the variables that name what was granted, and a policy
// that grants exactly that and nothing wider.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, test } from 'vitest';
import { parseDeploymentConfig, type DeploymentConfigInput } from '../../libs/config/deployment.ts';
import type { AccessDeclaration } from '../../libs/manifest/types.ts';
import { mailSender, userPoolAdminActions } from '../../infra/constructs/declared-access.ts';
import { ServiceFunction, type RegionalResources } from '../../infra/constructs/service-function.ts';
import config from '../../infra/plinth.config.ts';
import { plinthFeatureFlags } from '../../infra/stacks/plinth.ts';
import { cdkJsonContext, standaloneResources } from './support.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

interface Granted {
  template: Template;
  stack: Stack;
  resources: RegionalResources;
  variables: Record<string, unknown>;
  statements: Statement[];
}

function functionWith(
  access: AccessDeclaration,
  options: { deployment?: DeploymentConfigInput; userPool?: boolean } = {},
): Granted {
  // The app's own context, so ARNs are written as in the real stacks.
  const app = new App({ context: { ...plinthFeatureFlags, ...cdkJsonContext() } });
  const stack = new Stack(app, 'Test', { env: { region: 'eu-central-1' } });
  const resources: RegionalResources = standaloneResources(
    stack,
    parseDeploymentConfig(options.deployment ?? config),
  );
  new ServiceFunction(stack, 'Fn', {
    context: 'things',
    code: lambda.Code.fromInline('exports.api = async () => ({});'),
    exportName: 'api',
    access,
    resources: options.userPool === false ? { ...resources, userPool: undefined } : resources,
  });
  const template = Template.fromStack(stack);
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
    id.startsWith('FnFunction'),
  )?.[1] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  const policies = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('FnRole'))
    .map(([, p]) => p as { Properties: { PolicyDocument: { Statement: Statement[] } } });
  return {
    template,
    stack,
    resources,
    variables: fn.Properties.Environment.Variables,
    // CDK orders actions and resources as it likes; compare them as sets.
    statements: policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .map((st) => ({
        ...st,
        Action: [...actions(st)].sort(),
        Resource: Array.isArray(st.Resource) ? [...(st.Resource as unknown[])].sort(byJson) : st.Resource,
      })),
  };
}

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}

/** What a token of the stack is written as in its template. */
function resolved(granted: Granted, value: string): unknown {
  return granted.stack.resolve(value);
}

function actions(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function statementsWith(granted: Granted, action: string): Statement[] {
  return granted.statements.filter((s) => actions(s).includes(action));
}

function allActions(granted: Granted): string[] {
  return granted.statements.flatMap(actions);
}

const accountArn = (prefix: string, suffix: string): unknown => ({
  'Fn::Join': ['', [prefix, { Ref: 'AWS::AccountId' }, suffix]],
});

function queue(
  granted: Granted,
  name: string,
): { url: unknown; arn: unknown; dlqUrl: unknown; dlqArn: unknown } {
  const work = granted.resources.queues.get(name);
  const dlq = granted.resources.deadLetterQueues.get(name);
  if (!work || !dlq) throw new Error(`no queue ${name}`);
  return {
    url: resolved(granted, work.queueUrl),
    arn: resolved(granted, work.queueArn),
    dlqUrl: resolved(granted, dlq.queueUrl),
    dlqArn: resolved(granted, dlq.queueArn),
  };
}

describe('queues', () => {
  test('a consumer is told the queue URL and ARN and its DLQ URL, and may consume it and send to the DLQ only', () => {
    const granted = functionWith({ queues: [{ name: 'alpha', access: 'consume' }] });
    const alpha = queue(granted, 'alpha');
    expect(granted.variables).toMatchObject({
      ALPHA_QUEUE_URL: alpha.url,
      ALPHA_QUEUE_ARN: alpha.arn,
      ALPHA_DLQ_URL: alpha.dlqUrl,
    });
    expect(statementsWith(granted, 'sqs:ReceiveMessage').map((s) => s.Resource)).toEqual([alpha.arn]);
    expect(statementsWith(granted, 'sqs:SendMessage').map((s) => s.Resource)).toEqual([alpha.dlqArn]);
  });

  test('a sender is told the URL and ARN, no DLQ, and may only send', () => {
    const granted = functionWith({ queues: [{ name: 'beta', access: 'send' }] });
    expect(Object.keys(granted.variables).filter((k) => k.startsWith('BETA_'))).toEqual([
      'BETA_QUEUE_URL',
      'BETA_QUEUE_ARN',
    ]);
    expect(allActions(granted)).not.toContain('sqs:ReceiveMessage');
    expect(statementsWith(granted, 'sqs:SendMessage').map((s) => s.Resource)).toEqual([
      queue(granted, 'beta').arn,
    ]);
  });
});

describe('scheduler', () => {
  test('names the group and role, and may manage only the group schedules and pass only that role to Scheduler', () => {
    const granted = functionWith({ scheduler: true });
    expect(granted.variables).toMatchObject({
      SCHEDULE_GROUP_NAME: 'plinth-delays',
      SCHEDULER_ROLE_ARN: resolved(granted, granted.resources.schedules.role.roleArn),
    });
    const manage = granted.statements.filter((s) => actions(s).some((a) => a.startsWith('scheduler:')));
    expect(manage).toEqual([
      expect.objectContaining({
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        Resource: accountArn('arn:aws:scheduler:eu-central-1:', ':schedule/plinth-delays/*'),
      }),
    ]);
    expect(statementsWith(granted, 'iam:PassRole')).toEqual([
      expect.objectContaining({
        Resource: resolved(granted, granted.resources.schedules.role.roleArn),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
  });
});

describe('mail', () => {
  test("is told MAIL_FROM and may send only from the deployment's sender, through its address or domain identity", () => {
    const granted = functionWith(
      { mail: true },
      { deployment: { ...config, mailFrom: 'Acme <Ops@Acme.io>' } },
    );
    expect(granted.variables.MAIL_FROM).toBe('Acme <Ops@Acme.io>');
    expect(statementsWith(granted, 'ses:SendEmail')).toEqual([
      expect.objectContaining({
        Action: ['ses:SendEmail'],
        Resource: [
          accountArn('arn:aws:ses:eu-central-1:', ':identity/acme.io'),
          accountArn('arn:aws:ses:eu-central-1:', ':identity/ops@acme.io'),
        ],
        Condition: { StringEquals: { 'ses:FromAddress': 'ops@acme.io' } },
      }),
    ]);
  });

  test('a sender without an address fails synth, naming it', () => {
    expect(() => mailSender('Plinth')).toThrow(/mailFrom "Plinth" has no email address/);
    expect(mailSender('no-reply@example.com')).toEqual({
      address: 'no-reply@example.com',
      domain: 'example.com',
    });
  });
});

describe('deployment keys', () => {
  test('each declared key is named by ARN and readable, and no other key is', () => {
    const granted = functionWith({ keys: ['webhookSecret', 'mail'] });
    const webhookKey = resolved(granted, granted.resources.keys.webhookSecret.secretArn);
    const mailKey = resolved(granted, granted.resources.keys.mail.secretArn);
    expect(granted.variables.WEBHOOK_SECRET_KEY_ARN).toEqual(webhookKey);
    expect(granted.variables.MAIL_KEYS_ARN).toEqual(mailKey);
    expect(granted.variables.CURSOR_KEYS_ARN).toBeUndefined();
    expect(granted.variables.IDEMPOTENCY_KEYS_ARN).toBeUndefined();
    const readable = statementsWith(granted, 'secretsmanager:GetSecretValue').flatMap((s) => s.Resource);
    expect(readable).toHaveLength(2);
    expect(readable).toEqual(expect.arrayContaining([webhookKey, mailKey]));
  });
});

describe('user pool', () => {
  test('read access names the pool and its clients, first-party first, and grants no Cognito action', () => {
    const granted = functionWith({ userPool: 'read' });
    const userPool = granted.resources.userPool;
    expect(granted.variables).toMatchObject({
      USER_POOL_ID: resolved(granted, userPool?.pool.userPoolId ?? ''),
      USER_POOL_CLIENT_IDS: {
        'Fn::Join': [
          '',
          [
            resolved(granted, userPool?.clientIds[0] ?? ''),
            ',',
            resolved(granted, userPool?.clientIds[1] ?? ''),
          ],
        ],
      },
    });
    expect(allActions(granted).filter((a) => a.startsWith('cognito-idp:'))).toEqual([]);
  });

  test('admin access adds the named admin operations and ListUsers on this pool only', () => {
    const granted = functionWith({ userPool: 'admin' });
    const cognito = granted.statements.filter((s) => actions(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toEqual([
      expect.objectContaining({
        Action: [...userPoolAdminActions].sort(),
        Resource: resolved(granted, granted.resources.userPool?.pool.userPoolArn ?? ''),
      }),
    ]);
    expect(userPoolAdminActions).toContain('cognito-idp:ListUsers');
    expect(userPoolAdminActions.every((a) => !a.includes('*'))).toBe(true);
  });

  test('a function that may not reference the pool (a trigger of it) cannot declare access to it', () => {
    expect(() => functionWith({ userPool: 'read' }, { userPool: false })).toThrow(
      /context things: no user pool/,
    );
  });
});

describe('event destinations', () => {
  test('names the role, manages only destination rules of the Plinth bus, targets only the zone, and passes only that role', () => {
    const granted = functionWith({ eventDestinations: true });
    const role = resolved(granted, granted.resources.eventDestinations.role.roleArn);
    expect(granted.variables.EVENT_DESTINATION_ROLE_ARN).toEqual(role);
    const rules = accountArn('arn:aws:events:eu-central-1:', ':rule/plinth-events/plinth-dest-*');
    expect(statementsWith(granted, 'events:PutRule')).toEqual([
      expect.objectContaining({
        Action: ['events:DeleteRule', 'events:DescribeRule', 'events:PutRule', 'events:RemoveTargets'],
        Resource: rules,
      }),
    ]);
    expect(statementsWith(granted, 'events:PutTargets')).toEqual([
      expect.objectContaining({
        Resource: rules,
        Condition: { ArnLike: { 'events:TargetArn': 'arn:aws:events:eu-*:*:event-bus/*' } },
      }),
    ]);
    expect(statementsWith(granted, 'iam:PassRole')).toEqual([
      expect.objectContaining({
        Resource: role,
        Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
      }),
    ]);
    expect(allActions(granted)).not.toContain('events:PutEvents');
  });

  test('names the queue forwards that kept failing land in, which only destination rules may send to', () => {
    const granted = functionWith({ eventDestinations: true });
    const deadLetters = granted.resources.eventDestinations.deadLetters.queue;
    expect(granted.variables.EVENT_DESTINATION_DLQ_ARN).toEqual(resolved(granted, deadLetters.queueArn));
    const rules = accountArn('arn:aws:events:eu-central-1:', ':rule/plinth-events/plinth-dest-*');
    granted.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': rules },
            },
          }),
        ]),
      },
      Queues: [resolved(granted, deadLetters.queueUrl)],
    });
  });
});

test("a function declaring every access kind still fits Lambda's environment limit", () => {
  const granted = functionWith({
    table: 'readwrite',
    directory: 'read',
    bus: 'put',
    // As many keys as a context reads (webhooks): the estimate counts 160 bytes for each secret ARN.
    keys: ['cursor', 'idempotency', 'webhookSecret'],
    scheduler: true,
    mail: true,
    userPool: 'admin',
    eventDestinations: true,
    queues: [
      { name: 'alpha', access: 'consume' },
      { name: 'beta', access: 'send' },
      { name: 'beta', access: 'consume' },
    ],
  });
  expect(Object.keys(granted.variables)).toEqual(
    expect.arrayContaining([
      'BETA_DLQ_URL',
      'SCHEDULER_ROLE_ARN',
      'USER_POOL_ID',
      'EVENT_DESTINATION_ROLE_ARN',
      'EVENT_DESTINATION_DLQ_ARN',
    ]),
  );
  granted.template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ MAIL_FROM: Match.anyValue() }) },
  });
});
