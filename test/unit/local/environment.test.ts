import { describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../../libs/config/deployment.ts';
import { loadRuntimeConfig } from '../../../libs/config/runtime.ts';
import { loadWebhooksConfig } from '../../../functions/webhooks/config.ts';
import deploymentConfig from '../../../infra/plinth.config.ts';
import {
  chooseRegion,
  functionEnvironment,
  localNames,
  type FunctionOwner,
} from '../../../infra/local/environment.ts';
import { deadLetterUrlVariable, queueArnVariable, queueUrlVariable } from '../../../infra/stacks/names.ts';

const deployment = parseDeploymentConfig(deploymentConfig);

describe('the function environment on one machine', () => {
  const names = localNames(deployment, 'eu-central-1');
  const queue = (name: string) => ({
    url: `http://sqs.eu-central-1.localhost:1/000000000000/plinth-${name}`,
    arn: `arn:aws:sqs:eu-central-1:000000000000:plinth-${name}`,
    deadLetterUrl: `http://sqs.eu-central-1.localhost:1/000000000000/plinth-${name}-dlq`,
  });
  const input = {
    deployment,
    region: 'eu-central-1',
    names,
    queues: new Map([
      ['jobs', queue('jobs')],
      ['webhook-deliveries', queue('webhook-deliveries')],
    ]),
    keys: {
      cursor: 'c'.repeat(64),
      idempotency: 'i'.repeat(64),
      mail: 'm'.repeat(64),
      webhookSecret: 'w'.repeat(64),
      ssoSecret: 's'.repeat(64),
    },
    identity: {
      userPoolId: 'eu-central-1_Local0001',
      clientIds: { firstParty: 'first-party-client', console: 'console-client' },
      jwksUrl: 'http://127.0.0.1:6/eu-central-1_Local0001/.well-known/jwks.json',
    },
    endpoints: {
      dynamodb: 'http://127.0.0.1:1',
      sqs: 'http://sqs.eu-central-1.localhost:2',
      s3: 'http://127.0.0.1:2',
      eventBridge: 'http://127.0.0.1:3',
      scheduler: 'http://127.0.0.1:4',
      ses: 'http://127.0.0.1:5',
      cognito: 'http://127.0.0.1:6',
    },
    apiPort: 4000,
    dnsServer: '127.0.0.1:5353',
    processEnv: { PATH: '/usr/bin', AWS_PROFILE: 'developer', TABLE_NAME: 'from-the-shell' },
  };
  const everything: FunctionOwner = {
    name: 'everything',
    access: {
      table: 'readwrite',
      queues: [
        { name: 'jobs', access: 'consume' },
        { name: 'webhook-deliveries', access: 'consume' },
      ],
      keys: ['cursor', 'idempotency', 'mail', 'webhookSecret', 'ssoSecret'],
      scheduler: true,
      mail: true,
      userPool: 'admin',
      eventDestinations: true,
    },
  };
  const env = functionEnvironment(input, everything);

  it('is what the functions parse at cold start', () => {
    const config = loadRuntimeConfig(env);
    expect(config).toMatchObject({
      region: 'eu-central-1',
      tableName: names.table,
      directoryTableName: 'plinth-tenant-directory',
      eventBusName: 'plinth-events',
      jobsQueueUrl: 'http://sqs.eu-central-1.localhost:1/000000000000/plinth-jobs',
      local: true,
    });
    expect(config.deployment).toEqual(deployment);
  });

  it('points every SDK client at the local stand-ins, and names each queue as the stacks do', () => {
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://sqs.eu-central-1.localhost:2',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2',
      AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:3',
      AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:4',
      AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:5',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:6',
      WEBHOOK_DELIVERIES_QUEUE_URL:
        'http://sqs.eu-central-1.localhost:1/000000000000/plinth-webhook-deliveries',
    });
    expect(queueUrlVariable('webhook-deliveries')).toBe('WEBHOOK_DELIVERIES_QUEUE_URL');
  });

  it('tells the authorizer which local user pool and app clients to trust, and where its keys are', () => {
    expect(env).toMatchObject({
      USER_POOL_ID: 'eu-central-1_Local0001',
      USER_POOL_CLIENT_IDS: 'first-party-client,console-client',
      IDENTITY_JWKS_URL: 'http://127.0.0.1:6/eu-central-1_Local0001/.well-known/jwks.json',
    });
  });

  it('gives a queue its ARN, for schedules to target, and its DLQ, for a consumer that gives up', () => {
    expect(queueArnVariable('webhook-deliveries')).toBe('WEBHOOK_DELIVERIES_QUEUE_ARN');
    expect(deadLetterUrlVariable('webhook-deliveries')).toBe('WEBHOOK_DELIVERIES_DLQ_URL');
    expect(env).toMatchObject({
      WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:eu-central-1:000000000000:plinth-webhook-deliveries',
      WEBHOOK_DELIVERIES_DLQ_URL:
        'http://sqs.eu-central-1.localhost:1/000000000000/plinth-webhook-deliveries-dlq',
      JOBS_DLQ_URL: 'http://sqs.eu-central-1.localhost:1/000000000000/plinth-jobs-dlq',
    });
  });

  it('gives what the scheduler, mail, webhook secret and event destination access kinds promise', () => {
    expect(env).toMatchObject({
      SCHEDULE_GROUP_NAME: 'plinth-delays',
      SCHEDULER_ROLE_ARN: expect.stringMatching(/^arn:aws:iam::000000000000:role\/plinth-/) as string,
      EVENT_DESTINATION_ROLE_ARN: expect.stringMatching(/^arn:aws:iam::000000000000:role\/plinth-/) as string,
      MAIL_FROM: deployment.mailFrom,
      CURSOR_KEYS: 'c'.repeat(64),
      IDEMPOTENCY_KEYS: 'i'.repeat(64),
      MAIL_KEYS: 'm'.repeat(64),
      WEBHOOK_SECRET_KEY: 'w'.repeat(64),
      SSO_SECRET_KEY: 's'.repeat(64),
    });
    expect(env.SCHEDULER_ROLE_ARN).not.toBe(env.EVENT_DESTINATION_ROLE_ARN);
  });

  it('gives a function only what its context declares, as its stack would', () => {
    const sender = functionEnvironment(input, {
      name: 'sender',
      access: { table: 'read', queues: [{ name: 'jobs', access: 'send' }] },
    });
    expect(sender).toMatchObject({ TABLE_NAME: names.table, JOBS_QUEUE_URL: expect.any(String) as string });
    for (const variable of [
      'JOBS_DLQ_URL',
      'WEBHOOK_DELIVERIES_QUEUE_URL',
      'CURSOR_KEYS',
      'IDEMPOTENCY_KEYS',
      'MAIL_KEYS',
      'WEBHOOK_SECRET_KEY',
      'SSO_SECRET_KEY',
      'SCHEDULE_GROUP_NAME',
      'MAIL_FROM',
      'USER_POOL_ID',
      'IDENTITY_JWKS_URL',
      'EVENT_DESTINATION_ROLE_ARN',
    ]) {
      expect(sender).not.toHaveProperty(variable);
    }
  });

  it("keeps the developer's shell out of a function, except what Lambda also sets", () => {
    expect(env.PATH).toBe('/usr/bin');
    expect(env).not.toHaveProperty('AWS_PROFILE');
    expect(env.TABLE_NAME).toBe(names.table);
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('everything');
  });

  it("keeps webhooks off the local API's port and every stand-in's", () => {
    expect(loadWebhooksConfig(env).guard).toEqual({ local: true, refusedPorts: [1, 2, 3, 4, 5, 6, 4000] });
  });
});

describe('choosing the region to serve', () => {
  it('defaults to the first configured region', () => {
    expect(chooseRegion(deployment, undefined)).toBe(deployment.regions[0]!.region);
  });

  it('accepts another configured region and refuses an unconfigured one', () => {
    expect(chooseRegion(deployment, 'eu-central-1')).toBe('eu-central-1');
    expect(() => chooseRegion(deployment, 'ap-south-1')).toThrow(/ap-south-1.*us-east-1, eu-central-1/);
  });
});
