// ServiceFunction on its own: grants follow the access declaration, and a deployment config too
// large for Lambda's environment stops synth instead of the deployment.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { expect, test } from 'vitest';
import { parseDeploymentConfig, type DeploymentConfigInput } from '../../libs/config/deployment.ts';
import type { AccessDeclaration } from '../../libs/manifest/types.ts';
import { ServiceFunction } from '../../infra/constructs/service-function.ts';
import config from '../../infra/plinth.config.ts';
import { standaloneResources } from './support.ts';

function functionWith(access: AccessDeclaration, deployment: DeploymentConfigInput = config): Stack {
  const stack = new Stack(new App(), 'Test', { env: { region: 'eu-central-1' } });
  new ServiceFunction(stack, 'Fn', {
    context: 'things',
    code: lambda.Code.fromInline('exports.api = async () => ({});'),
    exportName: 'api',
    access,
    resources: standaloneResources(stack, parseDeploymentConfig(deployment)),
  });
  return stack;
}

/** The function's own policy, not those of the resources around it. */
function policy(stack: Stack): string {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return JSON.stringify(Object.entries(policies).filter(([id]) => id.startsWith('FnRole')));
}

test('read access to the table grants reads on the table and its named indexes, and no writes', () => {
  const granted = policy(functionWith({ table: 'read' }));
  expect(granted).toContain('dynamodb:Query');
  expect(granted).toContain('/index/gsi1');
  expect(granted).not.toContain('/index/*');
  expect(granted).not.toContain('dynamodb:PutItem');
  expect(granted).not.toContain('kms:GenerateDataKey');
});

test('no access declared grants nothing but logs and traces', () => {
  const granted = policy(functionWith({}));
  expect(granted).not.toMatch(
    /dynamodb:|events:|sqs:|secretsmanager:|kms:|scheduler:|ses:|cognito-idp:|iam:/,
  );
  expect(granted).toContain('logs:PutLogEvents');
  expect(granted).toContain('xray:PutTraceSegments');
});

test('a deployment config too large for the environment fails synth, saying so', () => {
  const plans = Object.fromEntries(
    Array.from({ length: 40 }, (_, i) => [
      `plan-${i}`,
      {
        displayName: `Plan number ${i} with a long display name`,
        limits: {
          requestsPerSecond: 10,
          burst: 20,
          monthlyRequests: 1000,
          apiKeys: 5,
          users: 10,
          retentionDays: 7,
        },
      },
    ]),
  );
  expect(() => functionWith({}, { ...config, plans, defaultPlan: 'plan-0' })).toThrow(
    /environment would be about \d+ bytes, over Lambda's 4096/,
  );
});
