// Every API function starts without reading a secret: with Secrets Manager failing, each entry
// loads, its first request answers 503, and once Secrets Manager answers again the next request
// goes through. A consumer fails its invocation the same way, and the next invocation runs.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contexts } from '../../../functions/manifests.ts';
import { deploymentKeyNames, deploymentKeys, keyArnVariable } from '../../../libs/config/keys.ts';
import { entryOf, type ContextManifest } from '../../../libs/manifest/types.ts';
import { functionEnv } from '../../support/function-env.ts';
import { apiEvent, json, lambdaContext, platformCaller, tenantCaller } from './api-events.ts';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const secrets = mockClient(SecretsManagerClient);
let available = false;
const savedEnv = { ...process.env };

beforeAll(() => {
  const env = functionEnv({
    WEBHOOK_DELIVERIES_QUEUE_URL:
      'https://sqs.us-east-1.amazonaws.com/999988887777/plinth-webhook-deliveries',
    WEBHOOK_DELIVERIES_QUEUE_ARN: 'arn:aws:sqs:us-east-1:999988887777:plinth-webhook-deliveries',
    WEBHOOK_DELIVERIES_DLQ_URL:
      'https://sqs.us-east-1.amazonaws.com/999988887777/plinth-webhook-deliveries-dlq',
  });
  // As on AWS: every key by the ARN of its secret, none by value.
  for (const name of deploymentKeyNames) {
    delete env[deploymentKeys[name].variable];
    delete process.env[deploymentKeys[name].variable];
    env[keyArnVariable(name)] = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
  }
  Object.assign(process.env, env);
  secrets.on(GetSecretValueCommand).callsFake(() => {
    if (!available) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    return { SecretString: 'k'.repeat(64) };
  });
});

afterAll(() => {
  secrets.restore();
  process.env = savedEnv;
});

/** A GET route of the context without path parameters, called with a query no schema accepts. */
function refusedRequest(context: ContextManifest): APIGatewayProxyEvent {
  const route = context.routes.find(
    (r) => r.method === 'GET' && r.request?.query !== undefined && !r.path.includes('{'),
  );
  if (!route) throw new Error(`${context.name} has no GET route with a query`);
  const caller =
    route.audience === 'platform' ? platformCaller([route.permission]) : tenantCaller([route.permission]);
  return apiEvent({ method: 'GET', path: route.path, query: { limit: 'many', unknown: 'x' }, caller });
}

const apiContexts = contexts.filter((c) => c.apiHandler !== undefined && c.access.keys?.length);

describe('start-up with Secrets Manager failing', () => {
  it.each(apiContexts.map((c) => [c.name, c] as const))(
    '%s loads without a secret, fails its first request with 503, and serves the next',
    async (_, context) => {
      available = false;
      const calls = secrets.commandCalls(GetSecretValueCommand).length;
      const module = (await import(`../../../${entryOf(context, context.apiHandler!)}`)) as Record<
        string,
        ApiHandler
      >;
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(calls);
      const api = module[context.apiHandler!]!;

      const first = await api(refusedRequest(context), lambdaContext());
      expect([first.statusCode, json(first.body).code]).toEqual([503, 'temporarily_unavailable']);

      available = true;
      const next = await api(refusedRequest(context), lambdaContext());
      expect(next.statusCode).toBe(400);
    },
  );

  it('the mail sender fails the batch that found no key, and sends with the next one', async () => {
    available = false;
    const { send } = await import('../../../functions/mail/handler.ts');
    await expect(send({ Records: [] }, lambdaContext())).rejects.toThrow();
    available = true;
    await expect(send({ Records: [] }, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
  });
});
