// The region's REST API: stage `v1`, JSON access logs, X-Ray, stage throttling, the Lambda REQUEST
// authorizer, problem+json gateway responses and one usage plan per plan tier. Routes are added
// per resource from the contexts' declarations.
import type { Duration } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { RouteDeclaration } from '../../libs/manifest/types.ts';
import { apiStage } from '../topology.ts';
import { allowedMethods } from '../../libs/http/route-table.ts';
import { problemContentType } from '../../libs/http/problem.ts';
import { addProblemResponses, problemTemplate, type ProblemResponse } from './problem-responses.ts';

export interface PlinthApiProps {
  readonly restApiName: string;
  /** The REQUEST authorizer: gets the Authorization header, answers with a policy and the caller context. */
  readonly authorizerFunction: lambda.IFunction;
  /** How long API Gateway caches a decision per Authorization header. */
  readonly authorizerCacheTtl: Duration;
  /** Plan tiers; each gets a usage plan with its rate, burst and monthly quota. */
  readonly plans: DeploymentConfig['plans'];
  /** Steady-state requests per second per method for the whole stage. @default 500 */
  readonly throttlingRateLimit?: number;
  /** @default 1000 */
  readonly throttlingBurstLimit?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** One JSON object per request; tenant and principal come from the authorizer's context. */
const accessLogFormat = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  xrayTraceId: '$context.xrayTraceId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTimeEpoch: '$context.requestTimeEpoch',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  tenantId: '$context.authorizer.tenantId',
  principalId: '$context.authorizer.principalId',
  denialCode: '$context.authorizer.code',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
});

export class PlinthApi extends Construct {
  readonly restApi: apigw.RestApi;
  readonly authorizer: apigw.RequestAuthorizer;
  readonly usagePlans: ReadonlyMap<string, apigw.UsagePlan>;
  private readonly integrations = new Map<lambda.IFunction, apigw.LambdaIntegration>();

  constructor(scope: Construct, id: string, props: PlinthApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
    });

    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: 'Plinth control plane API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Usage plans identify the tenant by the usageIdentifierKey the authorizer returns.
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      cloudWatchRole: true,
      deployOptions: {
        stageName: apiStage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(accessLogFormat),
        throttlingRateLimit: props.throttlingRateLimit ?? 500,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 1000,
      },
    });
    addProblemResponses(this.restApi);

    this.authorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizerFunction,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: props.authorizerCacheTtl,
    });

    const plans = new Map<string, apigw.UsagePlan>();
    for (const [tier, plan] of Object.entries(props.plans)) {
      plans.set(
        tier,
        this.restApi.addUsagePlan(`Plan-${tier}`, {
          name: `${props.restApiName}-${tier}`,
          description: `${plan.displayName}: per-tenant throttle and monthly quota`,
          throttle: { rateLimit: plan.limits.requestsPerSecond, burstLimit: plan.limits.burst },
          quota: { limit: plan.limits.monthlyRequests, period: apigw.Period.MONTH },
          apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
        }),
      );
    }
    this.usagePlans = plans;

    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in the function with the zod schemas that also generate the OpenAPI document; API Gateway models would be a second copy.',
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        "A WAF web ACL is the operator's choice of rules and cost; per-tenant usage plans and stage throttling guard the API without it.",
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level logging role; the managed policy is the one API Gateway documents for writing execution logs.",
    });
  }

  /**
   * Adds a resource (a path below the stage) with a method per route, proxied to `handler` (and HEAD
   * beside GET, which the function answers as GET without a body), and an `ANY` method answered by
   * API Gateway itself: 405 problem+json naming the allowed methods (204 to OPTIONS), so a method
   * the path does not declare invokes nothing.
   */
  addRoutes(path: string, routes: readonly RouteDeclaration[], handler: lambda.IFunction): apigw.Resource {
    const resource = this.restApi.root.resourceForPath(path);
    const integration = this.integrationFor(handler);
    for (const route of routes) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const httpMethod of methods) {
        const method = resource.addMethod(
          httpMethod,
          integration,
          route.audience === 'public'
            ? { authorizationType: apigw.AuthorizationType.NONE, operationName: route.operationId }
            : {
                authorizer: this.authorizer,
                authorizationType: apigw.AuthorizationType.CUSTOM,
                operationName: route.operationId,
              },
        );
        if (route.audience === 'public') {
          Validations.of(method).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is declared public in its manifest (permission "public").`,
          });
        }
        acknowledgeCustomAuthorizer(method);
      }
    }
    const fallback = resource.addMethod('ANY', methodNotAllowed(routes.map((r) => r.method)), {
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: [204, 405].map((status) => ({
        statusCode: String(status),
        responseParameters: Object.fromEntries(
          fallbackHeaders.map((name) => [`method.response.header.${name}`, true]),
        ),
      })),
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Catches only methods this path does not declare; API Gateway answers 405 itself and invokes nothing.',
    });
    acknowledgeCustomAuthorizer(fallback);
    return resource;
  }

  private integrationFor(handler: lambda.IFunction): apigw.LambdaIntegration {
    let integration = this.integrations.get(handler);
    if (!integration) {
      // One invoke permission for the whole API instead of one per method, which would outgrow
      // the function's 20 KB resource policy as routes are added.
      integration = new apigw.LambdaIntegration(handler, { proxy: true, scopePermissionToMethod: false });
      this.integrations.set(handler, integration);
    }
    return integration;
  }
}

const fallbackHeaders = ['Allow', 'Content-Type', 'Cache-Control'] as const;

/** The 405 problem of a path whose `Allow` header is `allow` (the local runtime answers the same). */
export function methodNotAllowedProblem(allow: string): ProblemResponse {
  return {
    type: apigw.ResponseType.DEFAULT_4XX,
    status: 405,
    title: 'Method Not Allowed',
    code: 'method_not_allowed',
    detail: `"$context.httpMethod is not allowed here; use ${allow}."`,
  };
}

/** API Gateway's own answer to a method a path does not declare, the same the functions' router gives. */
function methodNotAllowed(declared: readonly string[]): apigw.MockIntegration {
  const allow = allowedMethods(declared);
  const headers = (contentType: string) =>
    Object.fromEntries(
      Object.entries({ Allow: allow, 'Content-Type': contentType, 'Cache-Control': 'no-store' }).map(
        ([name, value]) => [`method.response.header.${name}`, `'${value}'`],
      ),
    );
  return new apigw.MockIntegration({
    // Requests with a body API Gateway has no template for are refused (415) before reaching the mock.
    passthroughBehavior: apigw.PassthroughBehavior.NEVER,
    requestTemplates: {
      'application/json':
        '#if($context.httpMethod == "OPTIONS"){"statusCode":204}#else{"statusCode":405}#end',
    },
    integrationResponses: [
      { selectionPattern: '204', statusCode: '204', responseParameters: headers('text/plain') },
      {
        statusCode: '405',
        responseParameters: headers(problemContentType),
        responseTemplates: { 'application/json': problemTemplate(methodNotAllowedProblem(allow)) },
      },
    ],
  });
}

function acknowledgeCustomAuthorizer(method: apigw.Method): void {
  Validations.of(method).acknowledge({
    id: 'AwsSolutions-COG4',
    reason:
      'The Lambda REQUEST authorizer verifies Cognito JWTs and Plinth API keys alike; a Cognito authorizer would refuse API keys.',
  });
}
