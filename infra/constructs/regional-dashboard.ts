// What an operator looks at first in a region: API traffic, 5XX rate and latency, the authorizer's
// latency, function errors and throttles, stream lag, queue age and dead-letter queue depths on one
// dashboard, with the region's API and function alarms (rules in operator-alarms.ts).
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmRules, failureRate, heldFor, pageOperator } from './operator-alarms.ts';

export interface LabelledFunction {
  readonly label: string;
  readonly function: lambda.IFunction;
}

export interface LabelledQueue {
  readonly label: string;
  readonly queue: sqs.IQueue;
}

export interface RegionalDashboardProps {
  readonly dashboardName: string;
  readonly api: apigw.RestApi;
  /** Every function of the region; each gets an error-rate and a throttles alarm. */
  readonly functions: readonly LabelledFunction[];
  /** The API's REQUEST authorizer; its p99 duration alarms. */
  readonly authorizer: lambda.IFunction;
  /** Consumers of the table's stream; their iterator age alarms. */
  readonly streamConsumers: readonly LabelledFunction[];
  /** Work queues, shown by age of their oldest message (their alarms live beside them). */
  readonly workQueues: readonly LabelledQueue[];
  /** Shown by depth (each alarms on its own). */
  readonly deadLetterQueues: readonly LabelledQueue[];
  /** Where the alarms notify. */
  readonly alarmAction: cloudwatch.IAlarmAction;
}

const graphPeriod = Duration.minutes(5);

export class RegionalDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RegionalDashboardProps) {
    super(scope, id);
    const { api, alarmAction } = props;
    const alarms: cloudwatch.Alarm[] = [];
    const page = (...args: Parameters<typeof pageOperator>) => {
      const alarm = pageOperator(...args);
      alarms.push(alarm);
      return alarm;
    };
    const sum = { statistic: cloudwatch.Stats.SUM };

    const apiRule = alarmRules.apiServerErrors;
    const serverErrorRate = failureRate(
      api.metricServerError({ ...sum, period: apiRule.period }),
      api.metricCount({ ...sum, period: apiRule.period }),
      apiRule,
      '5XX %',
    );
    page(
      this,
      'ApiServerErrorRate',
      serverErrorRate,
      apiRule,
      `The API answered ${apiRule.threshold} % or more of its requests with 5XX (at least ${apiRule.minimumFailures}) ${heldFor(apiRule)}; see the access logs' errorType and the failing functions' logs.`,
      alarmAction,
    );

    const errorRates = props.functions.map((fn, index) => {
      const rule = alarmRules.functionErrors;
      const rate = (idSuffix?: string) =>
        failureRate(
          fn.function.metricErrors({ ...sum, period: rule.period }),
          fn.function.metricInvocations({ ...sum, period: rule.period }),
          rule,
          fn.label,
          idSuffix,
        );
      page(
        this,
        `${fn.label}-Errors`,
        rate(),
        rule,
        `Function ${fn.label} failed (an uncaught error or a timeout) on ${rule.threshold} % or more of its invocations (at least ${rule.minimumFailures}) ${heldFor(rule)}; see its log group.`,
        alarmAction,
      );
      // One graph shows every function's rate, so each needs metric ids of its own.
      return rate(`_${index}`);
    });
    const throttles = props.functions.map((fn) => {
      const rule = alarmRules.functionThrottles;
      const metric = fn.function.metricThrottles({ ...sum, period: rule.period, label: fn.label });
      page(
        this,
        `${fn.label}-Throttles`,
        metric,
        rule,
        `Function ${fn.label} was throttled ${rule.threshold} times or more per period ${heldFor(rule)}: the account's concurrency is used up; raise the quota or find what consumes it.`,
        alarmAction,
      );
      return metric;
    });

    const latencyRule = alarmRules.authorizerLatency;
    const authorizerP99 = props.authorizer.metricDuration({
      statistic: cloudwatch.Stats.percentile(99),
      period: latencyRule.period,
      label: 'authorizer p99',
    });
    page(
      this,
      'AuthorizerLatency',
      authorizerP99,
      latencyRule,
      `The authorizer's p99 duration has been ${latencyRule.threshold} ms or more ${heldFor(latencyRule)}; every uncached API call waits for it. Check DynamoDB latency and throttling of the main table, and JWKS fetches in its log.`,
      alarmAction,
    );

    const iteratorAges = props.streamConsumers.map((consumer) => {
      const rule = alarmRules.streamIteratorAge;
      const metric = consumer.function.metric('IteratorAge', {
        statistic: cloudwatch.Stats.MAXIMUM,
        period: rule.period,
        label: consumer.label,
      });
      page(
        this,
        `${consumer.label}-IteratorAge`,
        metric,
        rule,
        `Stream consumer ${consumer.label} is ${Duration.millis(rule.threshold).toHumanString()} or more behind the table's stream ${heldFor(rule)}; records expire after 24 hours. See its errors, throttles and log group.`,
        alarmAction,
      );
      return metric;
    });
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const perFunction = (metric: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric) =>
      props.functions.map((fn) => metric(fn.function, fn.label));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [
          api.metricCount({ ...sum, period: graphPeriod, label: 'requests' }),
          api.metricClientError({ ...sum, period: graphPeriod, label: '4XX' }),
          api.metricServerError({ ...sum, period: graphPeriod, label: '5XX' }),
        ],
        right: [serverErrorRate],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API and authorizer latency (ms)',
        left: [
          api.metricLatency({
            period: graphPeriod,
            statistic: cloudwatch.Stats.percentile(50),
            label: 'p50',
          }),
          api.metricLatency({
            period: graphPeriod,
            statistic: cloudwatch.Stats.percentile(99),
            label: 'p99',
          }),
          api.metricIntegrationLatency({
            period: graphPeriod,
            statistic: cloudwatch.Stats.percentile(99),
            label: 'integration p99',
          }),
          authorizerP99,
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Function error rate (%)', left: errorRates, width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms)',
        left: perFunction((fn, label) =>
          fn.metricDuration({ period: graphPeriod, statistic: cloudwatch.Stats.percentile(99), label }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Function throttles', left: throttles, width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Stream iterator age (ms)', left: iteratorAges, width: 12 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Work queue age of oldest message (s)',
        left: props.workQueues.map((q) =>
          q.queue.metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
            label: q.label,
          }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: props.deadLetterQueues.map((dlq) =>
          dlq.queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
            label: dlq.label,
          }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  }
}
