// The regional API stacks: every declared route reaches its context's function behind the
// authorizer, API Gateway's own errors are problem+json, and consumers are wired as declared.
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { contexts } from '../../functions/manifests.ts';
import { runtimeEnvSchema } from '../../libs/config/runtime.ts';
import type { QueueDeclaration } from '../../libs/manifest/types.ts';
import {
  configuredRegions,
  regionalTemplates,
  logicalIdOf,
  regionalStacks,
  resourcesOfType,
} from './support.ts';

const regional = regionalTemplates('api');
const template = (region: string): Template => regional.template(region);

beforeAll(() => configuredRegions.forEach(template));

type Props = Record<string, unknown>;

/** `METHOD /v1/...` → the method's properties, rebuilding each resource's path from its parents. */
function methodsByRoute(t: Template): Map<string, Props> {
  const resources = resourcesOfType(t, 'AWS::ApiGateway::Resource');
  const pathOf = (id: string): string => {
    const props = resources[id]?.Properties as { ParentId: { Ref?: string }; PathPart: string };
    const parent = props.ParentId.Ref;
    return `${parent && parent in resources ? pathOf(parent) : '/v1'}/${props.PathPart}`;
  };
  const methods = new Map<string, Props>();
  for (const method of Object.values(resourcesOfType(t, 'AWS::ApiGateway::Method'))) {
    const props = method.Properties as Props & { HttpMethod: string; ResourceId: { Ref: string } };
    methods.set(`${props.HttpMethod} ${pathOf(props.ResourceId.Ref)}`, props);
  }
  return methods;
}

/** The jobs queue as its manifest declares it. */
function jobsQueue(): QueueDeclaration {
  const declared = contexts.find((c) => c.name === 'jobs')?.queues?.find((q) => q.name === 'jobs');
  if (!declared) throw new Error('the jobs context declares no jobs queue');
  return declared;
}

const routes = contexts.flatMap((ctx) =>
  ctx.routes.map((route) => ({ context: ctx.name, apiHandler: ctx.apiHandler ?? '', route })),
);

describe.each(configuredRegions)('API stack in %s', (region) => {
  test('is named after the deployment and region and depends on the global stack (directory replica)', () => {
    const { api } = regionalStacks(regional.plinth(), region);
    expect(api.stackName).toBe(`plinth-api-${region}`);
    expect(api.region).toBe(region);
    expect(api.dependencies.map((s) => s.stackName)).toEqual(
      expect.arrayContaining(['plinth-global', `plinth-data-${region}`]),
    );
  });

  test('every function runs Node.js 22 on arm64 with active tracing and JSON logs', () => {
    const functions = Object.values(resourcesOfType(template(region), 'AWS::Lambda::Function'));
    // The user pool's triggers live beside the pool, in the data stack.
    expect(functions.length).toBe(
      regional.plinth().topology.functions.filter((f) => f.stack === 'api').length,
    );
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
    }
  });

  test('every declared route is a method proxied to its context function, behind the authorizer unless public', () => {
    const t = template(region);
    const methods = methodsByRoute(t);
    const authorizerId = logicalIdOf(t, 'AWS::ApiGateway::Authorizer', 'ApiAuthorizer');
    expect(routes.length).toBeGreaterThan(0);
    for (const { context, apiHandler, route } of routes) {
      const key = `${route.method} ${route.path}`;
      const method = methods.get(key);
      expect(method, key).toBeDefined();
      const functionId = logicalIdOf(t, 'AWS::Lambda::Function', `${context}${apiHandler}Function`);
      expect(method?.Integration, key).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(JSON.stringify(method?.Integration), key).toContain(`"${functionId}","Arn"`);
      if (route.audience === 'public') {
        expect(method?.AuthorizationType, key).toBe('NONE');
        expect(method?.AuthorizerId, key).toBeUndefined();
      } else {
        expect(method?.AuthorizationType, key).toBe('CUSTOM');
        expect(method?.AuthorizerId, key).toEqual({ Ref: authorizerId });
      }
    }
  });

  test('every path answers any other method at the gateway with 405, invoking no function', () => {
    const methods = methodsByRoute(template(region));
    for (const path of new Set(routes.map((r) => r.route.path))) {
      const fallback = methods.get(`ANY ${path}`);
      expect(fallback, path).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
      const integration = (
        fallback as { Integration: { IntegrationResponses: Array<Record<string, unknown>> } }
      ).Integration;
      const allow = routes.filter((r) => r.route.path === path).map((r) => r.route.method);
      expect(integration.IntegrationResponses, path).toContainEqual(
        expect.objectContaining({
          StatusCode: '405',
          ResponseParameters: expect.objectContaining({
            'method.response.header.Allow': expect.stringContaining(allow[0]!) as string,
            'method.response.header.Content-Type': "'application/problem+json'",
          }) as object,
        }),
      );
    }
    const declared = new Set(
      routes.flatMap((r) =>
        r.route.method === 'GET'
          ? [`GET ${r.route.path}`, `HEAD ${r.route.path}`]
          : [`${r.route.method} ${r.route.path}`],
      ),
    );
    const undeclared = [...methods.keys()].filter((key) => !key.startsWith('ANY ') && !declared.has(key));
    expect(undeclared).toEqual([]);
    for (const key of declared)
      expect(methods.get(key), key).toMatchObject({ Integration: { Type: 'AWS_PROXY' } });
  });

  test('the API is served at stage v1 with tracing, JSON access logs and stage throttling', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', {
      ApiKeySourceType: 'AUTHORIZER',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { Format: Match.stringLikeRegexp('"tenantId":"\\$context.authorizer.tenantId"') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: 500,
          ThrottlingBurstLimit: 1000,
        }),
      ],
    });
  });

  test('the REQUEST authorizer reads the Authorization header and caches for the configured seconds', () => {
    const t = template(region);
    const authorizerFn = logicalIdOf(t, 'AWS::Lambda::Function', 'authorizerhandlerFunction');
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: regional.plinth().deployment.authorizerCacheSeconds,
    });
    const authorizer = Object.values(resourcesOfType(t, 'AWS::ApiGateway::Authorizer'))[0];
    expect(JSON.stringify(authorizer?.Properties?.AuthorizerUri)).toContain(authorizerFn);
  });

  test('a denial renders the authorizer code and detail as problem+json with status 403', () => {
    const t = template(region);
    const denied = Object.values(resourcesOfType(t, 'AWS::ApiGateway::GatewayResponse')).find(
      (r) => r.Properties?.ResponseType === 'ACCESS_DENIED',
    );
    expect(denied?.Properties?.StatusCode).toBe('403');
    expect(denied?.Properties?.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
    });
    const body = (denied?.Properties?.ResponseTemplates as Record<string, string>)['application/json'] ?? '';
    expect(body).toContain('"code":"$context.authorizer.code"');
    expect(body).toContain('"detail":"$context.authorizer.detail"');
    expect(body).toContain('"status":403');
  });

  test.each([
    ['UNAUTHORIZED', '401', 'unauthorized'],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'not_found'],
    ['THROTTLED', '429', 'rate_limited'],
    ['QUOTA_EXCEEDED', '429', 'quota_exceeded'],
    ['DEFAULT_4XX', undefined, 'bad_request'],
    ['DEFAULT_5XX', undefined, 'internal_error'],
  ])('API Gateway answers %s with problem+json status %s, code %s', (type, status, code) => {
    const response = Object.values(
      resourcesOfType(template(region), 'AWS::ApiGateway::GatewayResponse'),
    ).find((r) => r.Properties?.ResponseType === type);
    expect(response?.Properties?.StatusCode).toBe(status);
    expect(response?.Properties?.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
    });
    const body =
      (response?.Properties?.ResponseTemplates as Record<string, string>)['application/json'] ?? '';
    expect(body).toContain(`"code":"${code}"`);
    expect(body).toContain(`"type":"https://plinth.dev/problems/${code}"`);
  });

  test("each plan tier's usage plan throttles at the plan's rate and burst, on the one stage that serves every method", () => {
    const t = template(region);
    const apiId = logicalIdOf(t, 'AWS::ApiGateway::RestApi', 'Api');
    const stageId = logicalIdOf(t, 'AWS::ApiGateway::Stage', 'ApiDeploymentStagev1');
    expect(Object.keys(resourcesOfType(t, 'AWS::ApiGateway::Stage'))).toEqual([stageId]);
    for (const [id, method] of Object.entries(resourcesOfType(t, 'AWS::ApiGateway::Method'))) {
      expect(method.Properties?.RestApiId, id).toEqual({ Ref: apiId });
    }
    const byName = (a: { UsagePlanName: string }, b: { UsagePlanName: string }) =>
      a.UsagePlanName.localeCompare(b.UsagePlanName);
    const plans = Object.values(resourcesOfType(t, 'AWS::ApiGateway::UsagePlan')).map((p) => {
      const props = p.Properties as { UsagePlanName: string } & Props;
      return {
        UsagePlanName: props.UsagePlanName,
        Throttle: props.Throttle,
        Quota: props.Quota,
        ApiStages: props.ApiStages,
      };
    });
    const expected = Object.entries(regional.plinth().deployment.plans).map(([tier, plan]) => ({
      UsagePlanName: `plinth-${region}-${tier}`,
      Throttle: { RateLimit: plan.limits.requestsPerSecond, BurstLimit: plan.limits.burst },
      Quota: { Limit: plan.limits.monthlyRequests, Period: 'MONTH' },
      // No per-method throttle overrides the plan's own for any method of the stage.
      ApiStages: [{ ApiId: { Ref: apiId }, Stage: { Ref: stageId }, Throttle: {} }],
    }));
    expect(plans.sort(byName)).toEqual(expected.sort(byName));
  });

  test('the outbox consumes only INSERTs of event items from the table stream, retrying then parking failures', () => {
    const t = template(region);
    const outbox = logicalIdOf(t, 'AWS::Lambda::Function', 'outboxpublishFunction');
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: outbox },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { __edb_e__: { S: ['event'] } } },
            }),
          },
        ],
      },
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamFailuresoutboxpublish') },
        },
      },
    });
  });

  test('the jobs worker consumes the jobs queue in batches, reporting failures per message', () => {
    const t = template(region);
    const worker = logicalIdOf(t, 'AWS::Lambda::Function', 'jobsworkerFunction');
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: worker },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('QueuejobsQueue') },
      BatchSize: jobsQueue().batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('functions get the runtime environment every Plinth function parses at start-up', () => {
    const t = template(region);
    for (const [id, fn] of Object.entries(resourcesOfType(t, 'AWS::Lambda::Function'))) {
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      // Tokens stand for names CloudFormation fills in; the contract is that each one is there.
      const env = Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${k}`]),
      );
      expect(runtimeEnvSchema.safeParse(env).success, id).toBe(true);
      expect(variables, id).toMatchObject({
        PLINTH_REGION: region,
        DIRECTORY_TABLE_NAME: 'plinth-tenant-directory',
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: expect.any(String) as unknown,
      });
      expect(JSON.parse(variables.PLINTH_DEPLOYMENT as string)).toEqual(regional.plinth().deployment);
    }
    const tenants = resourcesOfType(t, 'AWS::Lambda::Function')[
      logicalIdOf(t, 'AWS::Lambda::Function', 'tenantsapiFunction')
    ];
    expect(
      (tenants?.Properties?.Environment as { Variables: Props }).Variables.CURSOR_KEYS_ARN,
    ).toBeDefined();
    const jobs = resourcesOfType(t, 'AWS::Lambda::Function')[
      logicalIdOf(t, 'AWS::Lambda::Function', 'jobsworkerFunction')
    ];
    expect((jobs?.Properties?.Environment as { Variables: Props }).Variables.JOBS_QUEUE_URL).toBeDefined();
  });

  test('a function is granted only what its manifest declares', () => {
    const t = template(region);
    const policyOf = (prefix: string): string =>
      JSON.stringify(
        resourcesOfType(t, 'AWS::IAM::Policy')[logicalIdOf(t, 'AWS::IAM::Policy', prefix)]?.Properties,
      );
    const docs = policyOf('docsapiRole');
    expect(docs).not.toContain('dynamodb:');
    expect(docs).not.toContain('events:PutEvents');
    const outbox = policyOf('outboxpublishRole');
    expect(outbox).toContain('events:PutEvents');
    expect(outbox).not.toContain('dynamodb:PutItem');
    const authorizer = policyOf('authorizerhandlerRole');
    expect(authorizer).toContain(`arn:aws:dynamodb:${region}:`);
    expect(authorizer).not.toContain('secretsmanager:');
    expect(policyOf('tenantsapiRole')).toContain('secretsmanager:GetSecretValue');
  });

  test('a dashboard shows the region, and its alarms (test/infra/alarms.test.ts) notify the alarm topic', () => {
    const t = template(region);
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `plinth-${region}` });
    const alarms = Object.values(resourcesOfType(t, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([
        { 'Fn::ImportValue': expect.stringMatching(/AlarmsTopic/) as unknown },
      ]);
    }
  });
});
