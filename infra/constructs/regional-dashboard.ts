// What an operator looks at first in a region: API traffic, errors and latency, function errors,
// and dead-letter queue depths on one dashboard, with alarms on API 5XX and function errors.
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface RegionalDashboardProps {
  readonly dashboardName: string;
  readonly api: apigw.RestApi;
  readonly functions: ReadonlyArray<{ readonly label: string; readonly function: lambda.IFunction }>;
  readonly deadLetterQueues: ReadonlyArray<{ readonly label: string; readonly queue: sqs.IQueue }>;
  /** Where the alarms notify. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** 5XX answers within five minutes that raise the API alarm. @default 5 */
  readonly serverErrorThreshold?: number;
}

const period = Duration.minutes(5);

export class RegionalDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RegionalDashboardProps) {
    super(scope, id);
    const { api } = props;
    const alarms: cloudwatch.Alarm[] = [];
    const alarm = (
      construct: Construct,
      alarmId: string,
      metric: cloudwatch.Metric,
      threshold: number,
      description: string,
    ): void => {
      const created = metric.createAlarm(construct, alarmId, {
        alarmDescription: description,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(props.alarmAction);
      created.addOkAction(props.alarmAction);
      alarms.push(created);
    };

    const serverErrors = api.metricServerError({ period, statistic: cloudwatch.Stats.SUM });
    alarm(
      this,
      'ApiServerErrors',
      serverErrors,
      props.serverErrorThreshold ?? 5,
      'The API answered with 5XX errors.',
    );
    for (const fn of props.functions) {
      alarm(
        this,
        `${fn.label}-Errors`,
        fn.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        1,
        `Function ${fn.label} failed (an error or a timeout).`,
      );
    }
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [
          api.metricCount({ period, statistic: cloudwatch.Stats.SUM, label: 'requests' }),
          api.metricClientError({ period, statistic: cloudwatch.Stats.SUM, label: '4XX' }),
          serverErrors.with({ label: '5XX' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        left: [
          api.metricLatency({ period, statistic: cloudwatch.Stats.percentile(50), label: 'p50' }),
          api.metricLatency({ period, statistic: cloudwatch.Stats.percentile(99), label: 'p99' }),
          api.metricIntegrationLatency({
            period,
            statistic: cloudwatch.Stats.percentile(99),
            label: 'integration p99',
          }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: props.functions.map((fn) =>
          fn.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label: fn.label }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms)',
        left: props.functions.map((fn) =>
          fn.function.metricDuration({ period, statistic: cloudwatch.Stats.percentile(99), label: fn.label }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
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
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 12 }),
    );
  }
}
