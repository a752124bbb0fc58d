import { describe, expect, it } from 'vitest';
import {
  authorizerDecision,
  buildAuthorizerEvent,
  buildProxyEvent,
  isTextContent,
  methodArn,
  type GatewayRequest,
} from '../../../infra/local/api-events.ts';

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    path: '/v1/widgets/w1/archive',
    query: 'reason=old&tag=a&tag=b',
    rawHeaders: [
      'Host',
      '127.0.0.1:4000',
      'Authorization',
      'Bearer k',
      'X-Tag',
      'one',
      'X-Tag',
      'two',
      'Content-Type',
      'application/json',
    ],
    body: Buffer.from('{"note":"bye"}'),
    sourceIp: '127.0.0.1',
    requestId: 'req-1',
    receivedAt: new Date('2026-01-02T03:04:05Z'),
    ...overrides,
  };
}

const matched = { resource: '/v1/widgets/{widgetId}/archive', pathParameters: { widgetId: 'w1' } };

describe('the proxy event handed to an API function', () => {
  it('has the shape of a REST API proxy event, the stage outside path and resource as on AWS', () => {
    const event = buildProxyEvent(request(), matched, { principalId: 'key_1', kind: 'platform' });

    expect(event).toMatchObject({
      httpMethod: 'POST',
      path: '/widgets/w1/archive',
      resource: '/widgets/{widgetId}/archive',
      pathParameters: { widgetId: 'w1' },
      queryStringParameters: { reason: 'old', tag: 'b' },
      multiValueQueryStringParameters: { reason: ['old'], tag: ['a', 'b'] },
      body: '{"note":"bye"}',
      isBase64Encoded: false,
      stageVariables: null,
      requestContext: {
        stage: 'v1',
        path: '/v1/widgets/w1/archive',
        resourcePath: '/widgets/{widgetId}/archive',
        requestId: 'req-1',
        httpMethod: 'POST',
        requestTimeEpoch: Date.parse('2026-01-02T03:04:05Z'),
        requestTime: '02/Jan/2026:03:04:05 +0000',
        identity: { sourceIp: '127.0.0.1' },
        authorizer: { principalId: 'key_1', kind: 'platform' },
      },
    });
  });

  it('keeps header names as sent, the last value single and all values multi', () => {
    const event = buildProxyEvent(request(), matched, null);
    expect(event.headers).toMatchObject({ Authorization: 'Bearer k', 'X-Tag': 'two' });
    expect(event.multiValueHeaders['X-Tag']).toEqual(['one', 'two']);
  });

  it('gives null parameters and body when there are none', () => {
    const event = buildProxyEvent(
      request({ query: '', body: Buffer.alloc(0) }),
      { resource: '/v1/widgets', pathParameters: {} },
      null,
    );
    expect([event.pathParameters, event.queryStringParameters, event.body, event.isBase64Encoded]).toEqual([
      null,
      null,
      null,
      false,
    ]);
  });

  it('base64-encodes a binary body', () => {
    const bytes = Buffer.from([0, 255, 1, 2]);
    const event = buildProxyEvent(
      request({ body: bytes, rawHeaders: ['Content-Type', 'application/octet-stream'] }),
      matched,
      null,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  it('treats JSON, text, XML and forms as text', () => {
    expect(
      [
        'application/json; charset=utf-8',
        'application/problem+json',
        'text/csv',
        'application/x-www-form-urlencoded',
        undefined,
      ].map(isTextContent),
    ).toEqual([true, true, true, true, true]);
    expect(isTextContent('image/png')).toBe(false);
  });
});

describe('the REQUEST authorizer event', () => {
  it('names the method ARN relative to the stage and carries the headers', () => {
    const event = buildAuthorizerEvent(request(), matched, 'eu-central-1');
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-central-1:000000000000:local/v1/POST/widgets/w1/archive',
      headers: { Authorization: 'Bearer k' },
      pathParameters: { widgetId: 'w1' },
      requestContext: { stage: 'v1', requestId: 'req-1' },
    });
  });
});

describe("reading the authorizer's answer", () => {
  const arn = methodArn('us-east-1', 'GET', '/v1/tenant');
  const policy = (effect: string, resource: string) => ({
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  });

  it('allows with a stage-wide Allow, passing context and principalId on', () => {
    const decision = authorizerDecision(
      {
        principalId: 'key_1',
        policyDocument: policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:local/v1/*'),
        context: { tenantId: 't1' },
      },
      arn,
    );
    expect(decision).toEqual({ effect: 'allow', context: { tenantId: 't1', principalId: 'key_1' } });
  });

  it('denies with a Deny, keeping the code and detail for the problem body', () => {
    const decision = authorizerDecision(
      {
        principalId: 't1',
        policyDocument: policy('Deny', `${arn.split('/')[0]}/v1/*`),
        context: { code: 'tenant_suspended', detail: 'Suspended.' },
      },
      arn,
    );
    expect(decision).toMatchObject({
      effect: 'deny',
      context: { code: 'tenant_suspended', detail: 'Suspended.' },
    });
  });

  it('denies when the Allow covers another method or path', () => {
    const decision = authorizerDecision(
      { principalId: 'p', policyDocument: policy('Allow', arn.replace('GET', 'POST')) },
      arn,
    );
    expect(decision.effect).toBe('deny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    const decision = authorizerDecision(
      {
        principalId: 'p',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [...policy('Allow', '*').Statement, ...policy('Deny', arn).Statement],
        },
      },
      arn,
    );
    expect(decision.effect).toBe('deny');
  });

  it('calls an answer without a policy invalid', () => {
    expect(authorizerDecision({ principalId: 'p' }, arn).effect).toBe('invalid');
    expect(authorizerDecision(undefined, arn).effect).toBe('invalid');
  });
});
