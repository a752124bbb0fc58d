// What pages the operator: each alarm of a region watches the metric that means a lasting failure of
// Plinth, at the threshold the README's operations section states, and notifies the alarm topic.
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { logicalIdOf, regionalTemplates, resourcesOfType } from './support.ts';

const region = 'us-east-1';
const api = regionalTemplates('api');
const data = regionalTemplates('data');
let apiTemplate: Template;
let dataTemplate: Template;

beforeAll(() => {
  apiTemplate = api.template(region);
  dataTemplate = data.template(region);
});

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> };
  Period: number;
  Stat: string;
}

interface AlarmProps {
  AlarmActions: unknown[];
  OKActions: unknown[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Period?: number;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean }>;
}

function alarms(template: Template): Array<[string, AlarmProps]> {
  return Object.entries(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(([id, r]) => [
    id,
    r.Properties as unknown as AlarmProps,
  ]);
}

/** The one alarm whose logical id starts with `prefix`. */
function alarm(template: Template, prefix: string): AlarmProps {
  const id = logicalIdOf(template, 'AWS::CloudWatch::Alarm', prefix);
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm')[id]?.Properties as unknown as AlarmProps;
}

/** The alarm's single metric (not math), as namespace, name, statistic, period and dimension value. */
function singleMetric(props: AlarmProps) {
  const stat = props.Metrics?.[0]?.MetricStat;
  if (stat) {
    return {
      namespace: stat.Metric.Namespace,
      name: stat.Metric.MetricName,
      statistic: stat.Stat,
      period: stat.Period,
      dimension: stat.Metric.Dimensions[0]?.Value,
    };
  }
  return {
    namespace: props.Namespace,
    name: props.MetricName,
    statistic: props.ExtendedStatistic ?? props.Statistic,
    period: props.Period,
    dimension: props.Dimensions?.[0]?.Value,
  };
}

/** A rate alarm's expression and the metrics it divides. */
function rate(props: AlarmProps) {
  const metrics = props.Metrics ?? [];
  const byId = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat;
  const failures = byId('failures');
  const total = byId('total');
  return {
    expression: metrics.find((m) => m.ReturnData !== false)?.Expression,
    failures: failures && { name: failures.Metric.MetricName, stat: failures.Stat, period: failures.Period },
    total: total && { name: total.Metric.MetricName, stat: total.Stat, period: total.Period },
    dimension: failures?.Metric.Dimensions[0]?.Value,
  };
}

const when = (props: AlarmProps) => ({
  threshold: props.Threshold,
  operator: props.ComparisonOperator,
  evaluationPeriods: props.EvaluationPeriods,
  datapointsToAlarm: props.DatapointsToAlarm,
});

const apiTopic = { 'Fn::ImportValue': expect.stringMatching(/AlarmsTopic/) as unknown };
const dataTopic = () => ({ Ref: logicalIdOf(dataTemplate, 'AWS::SNS::Topic', 'AlarmsTopic') });
const functionRef = (template: Template, functionId: string) => ({
  Ref: logicalIdOf(template, 'AWS::Lambda::Function', `${functionId.replace(/-/g, '')}Function`),
});

function expectNotifiesTopic(props: AlarmProps, topic: unknown): void {
  expect(props.AlarmActions).toEqual([topic]);
  expect(props.OKActions).toEqual([topic]);
}

describe('alarms of a region', () => {
  test('the API pages on a 5XX rate of 1 % (at least 5 answers) in 2 of 3 five-minute periods', () => {
    const props = alarm(apiTemplate, 'DashboardApiServerErrorRate');
    expect(rate(props)).toEqual({
      expression: 'IF(failures >= 5, 100 * failures / total, 0)',
      failures: { name: '5XXError', stat: 'Sum', period: 300 },
      total: { name: 'Count', stat: 'Sum', period: 300 },
      dimension: `plinth-${region}`,
    });
    expect(when(props)).toEqual({
      threshold: 1,
      operator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    expectNotifiesTopic(props, apiTopic);
  });

  test('every function pages on an error rate of 5 % (at least 3 errors) in 2 of 3 five-minute periods', () => {
    for (const spec of api.plinth().topology.functions) {
      const props = alarm(apiTemplate, `Dashboard${spec.id.replace(/-/g, '')}Errors`);
      expect(rate(props), spec.id).toEqual({
        expression: 'IF(failures >= 3, 100 * failures / total, 0)',
        failures: { name: 'Errors', stat: 'Sum', period: 300 },
        total: { name: 'Invocations', stat: 'Sum', period: 300 },
        dimension:
          spec.stack === 'api'
            ? functionRef(apiTemplate, spec.id)
            : { 'Fn::ImportValue': expect.stringMatching(`${spec.id.replace(/-/g, '')}Function`) as unknown },
      });
      expect(when(props), spec.id).toEqual({
        threshold: 5,
        operator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      expectNotifiesTopic(props, apiTopic);
    }
  });

  test('every function pages on 10 throttles per five minutes in 2 of 3 periods', () => {
    for (const spec of api.plinth().topology.functions.filter((f) => f.stack === 'api')) {
      const props = alarm(apiTemplate, `Dashboard${spec.id.replace(/-/g, '')}Throttles`);
      expect(singleMetric(props), spec.id).toEqual({
        namespace: 'AWS/Lambda',
        name: 'Throttles',
        statistic: 'Sum',
        period: 300,
        dimension: functionRef(apiTemplate, spec.id),
      });
      expect(when(props), spec.id).toEqual({
        threshold: 10,
        operator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      expectNotifiesTopic(props, apiTopic);
    }
  });

  test("the authorizer's p99 duration pages at 1 s held for 15 minutes", () => {
    const props = alarm(apiTemplate, 'DashboardAuthorizerLatency');
    expect(singleMetric(props)).toEqual({
      namespace: 'AWS/Lambda',
      name: 'Duration',
      statistic: 'p99',
      period: 300,
      dimension: functionRef(apiTemplate, api.plinth().topology.authorizerFunctionId),
    });
    expect(when(props)).toEqual({
      threshold: 1000,
      operator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    expectNotifiesTopic(props, apiTopic);
  });

  test('every stream consumer, the outbox first, pages when 5 minutes behind for 5 minutes', () => {
    const streams = api.plinth().topology.streams;
    expect(streams.map((s) => s.functionId)).toContain('outbox-publish');
    for (const stream of streams) {
      const props = alarm(apiTemplate, `Dashboard${stream.id.replace(/-/g, '')}IteratorAge`);
      expect(singleMetric(props), stream.id).toEqual({
        namespace: 'AWS/Lambda',
        name: 'IteratorAge',
        statistic: 'Maximum',
        period: 60,
        dimension: functionRef(apiTemplate, stream.functionId),
      });
      expect(when(props), stream.id).toEqual({
        threshold: 300_000,
        operator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
      });
      expectNotifiesTopic(props, apiTopic);
    }
  });

  test('every work queue pages when its oldest message outlives all its retries and the longest delay, for 10 minutes', () => {
    const queues = api.plinth().topology.queues;
    expect(queues.length).toBeGreaterThan(0);
    // 5 receives of 960 s for jobs, of 120 s for the webhook queues, plus 900 s of delay.
    const expected: Record<string, number> = {
      jobs: 5700,
      'webhook-events': 1500,
      'webhook-deliveries': 1500,
    };
    for (const { declaration } of queues) {
      const props = alarm(dataTemplate, `Queue${declaration.name.replace(/-/g, '')}OldestMessage`);
      const queueId = logicalIdOf(
        dataTemplate,
        'AWS::SQS::Queue',
        `Queue${declaration.name.replace(/-/g, '')}Queue`,
      );
      expect(singleMetric(props), declaration.name).toEqual({
        namespace: 'AWS/SQS',
        name: 'ApproximateAgeOfOldestMessage',
        statistic: 'Maximum',
        period: 300,
        dimension: { 'Fn::GetAtt': [queueId, 'QueueName'] },
      });
      expect(when(props), declaration.name).toEqual({
        threshold: expected[declaration.name],
        operator: 'GreaterThanOrEqualToThreshold',
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      });
      expectNotifiesTopic(props, dataTopic());
    }
  });

  test("every dead-letter queue, the webhook deliveries' among them, pages on its first message", () => {
    const deadLetterQueues = (template: Template) =>
      Object.keys(resourcesOfType(template, 'AWS::SQS::Queue')).filter((id) =>
        /DeadLetters|Failures/.test(id),
      );
    const deliveries = logicalIdOf(dataTemplate, 'AWS::SQS::Queue', 'QueuewebhookdeliveriesDeadLetters');
    expect(deadLetterQueues(dataTemplate)).toContain(deliveries);
    for (const [template, topic] of [
      [dataTemplate, dataTopic()],
      [apiTemplate, apiTopic],
    ] as const) {
      const queues = deadLetterQueues(template);
      expect(queues.length).toBeGreaterThan(0);
      for (const queueId of queues) {
        const found = alarms(template).find(
          ([, props]) =>
            props.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(props.Dimensions?.[0]?.Value) ===
              JSON.stringify({ 'Fn::GetAtt': [queueId, 'QueueName'] }),
        );
        expect(found, queueId).toBeDefined();
        const props = found![1];
        expect({ statistic: props.Statistic, period: props.Period }, queueId).toEqual({
          statistic: 'Maximum',
          period: 60,
        });
        expect(when(props), queueId).toEqual({
          threshold: 1,
          operator: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
        });
        expectNotifiesTopic(props, topic);
      }
    }
  });

  test('only dead-letter queues page on a single datapoint; everything else must last', () => {
    for (const template of [apiTemplate, dataTemplate]) {
      for (const [id, props] of alarms(template)) {
        if (props.MetricName === 'ApproximateNumberOfMessagesVisible') continue;
        expect(props.DatapointsToAlarm, id).toBeGreaterThanOrEqual(2);
      }
    }
  });

  test('the dashboard graphs every alarmed metric', () => {
    const dashboard = Object.values(resourcesOfType(apiTemplate, 'AWS::CloudWatch::Dashboard'))[0];
    const parts = (dashboard?.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
      'Fn::Join'
    ][1];
    // References to resources stand inside JSON strings; a placeholder keeps the body parseable.
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ref')).join('')) as {
      widgets: Array<{ properties: { title: string; metrics?: unknown[][] } }>;
    };
    const graphed = (title: string) => {
      const widget = body.widgets.find((w) => w.properties.title === title);
      return JSON.stringify(widget?.properties.metrics ?? []);
    };
    expect(graphed('API requests and errors')).toContain('IF(failures >= 5, 100 * failures / total, 0)');
    expect(graphed('API and authorizer latency (ms)')).toContain('authorizer p99');
    expect(graphed('Function error rate (%)')).toContain(
      'IF(failures_0 >= 3, 100 * failures_0 / total_0, 0)',
    );
    expect(graphed('Function throttles')).toContain('"Throttles"');
    expect(graphed('Stream iterator age (ms)')).toContain('"IteratorAge"');
    expect(graphed('Work queue age of oldest message (s)')).toContain('"ApproximateAgeOfOldestMessage"');
    expect(graphed('Dead-letter queue depth')).toContain('"ApproximateNumberOfMessagesVisible"');
  });
});
