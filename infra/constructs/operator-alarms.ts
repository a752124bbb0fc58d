// What pages the operator, and when: every alarm of a region follows one rule here, so a threshold
// is written (and explained) once. An alarm means a failure of Plinth that lasts, never a
// single blip nor a caller's mistake: refused credentials are answers, not function errors, and a
// tenant's failing endpoint is the tenant's `endpoint.disabled` event, not a page.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** A threshold and how long it must hold: `datapointsToAlarm` of the last `evaluationPeriods` periods. */
export interface AlarmRule {
  readonly threshold: number;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** A rate in percent that only counts once enough failures happened, so one failure of two calls is no page. */
export interface RateAlarmRule extends AlarmRule {
  /** Failures per period below which the rate counts as 0. */
  readonly minimumFailures: number;
}

const fiveMinutes = Duration.minutes(5);
const oneMinute = Duration.minutes(1);

/** The region's alarm rules; the README's operations section states the same numbers. */
export const alarmRules = {
  /**
   * API 5XX rate: at least 1 % of requests answered 5XX (and at least 5 of them) in 2 of 3
   * five-minute periods. A lone failed request does not page; ten minutes of failures do.
   */
  apiServerErrors: {
    threshold: 1,
    minimumFailures: 5,
    period: fiveMinutes,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
  } satisfies RateAlarmRule,
  /**
   * A function's error rate (uncaught errors and timeouts over invocations): at least 5 % and at
   * least 3 errors in 2 of 3 five-minute periods. Batch items a consumer reports as failed are
   * retried and end in a dead-letter queue, which alarms on its own.
   */
  functionErrors: {
    threshold: 5,
    minimumFailures: 3,
    period: fiveMinutes,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
  } satisfies RateAlarmRule,
  /**
   * A function's throttles: at least 10 in each of 2 of 3 five-minute periods, i.e. the account's or
   * the function's concurrency is exhausted for minutes, not for one burst.
   */
  functionThrottles: {
    threshold: 10,
    period: fiveMinutes,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
  } satisfies AlarmRule,
  /**
   * The authorizer's p99 duration: 1 s or more for 15 minutes (3 of 3 five-minute periods). Every
   * uncached API call waits for it; a cold start (a few hundred ms) stays below the threshold,
   * slow DynamoDB reads or JWKS fetches do not.
   */
  authorizerLatency: {
    threshold: 1000,
    period: fiveMinutes,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
  } satisfies AlarmRule,
  /**
   * A stream consumer's iterator age (the age of the newest record it was handed): 5 minutes or
   * more for 5 minutes running. Events then reach the bus late, and the stream keeps records for
   * 24 hours only. A record that keeps failing holds up its shard while it is retried, then lands
   * in the consumer's failure queue, which alarms as well.
   */
  streamIteratorAge: {
    threshold: Duration.minutes(5).toMilliseconds(),
    period: oneMinute,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
  } satisfies AlarmRule,
  /**
   * A work queue's oldest message, in seconds (the threshold is the queue's own, see
   * {@link workQueueMaxAge}) for 10 minutes running: nobody is consuming the queue.
   */
  workQueueAge: {
    period: fiveMinutes,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
  } satisfies Omit<AlarmRule, 'threshold'>,
  /** A dead-letter queue holding any message, at once: each one is work Plinth failed to do. */
  deadLetters: {
    threshold: 1,
    period: oneMinute,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  } satisfies AlarmRule,
} as const;

/** SQS's longest delivery delay; a delayed message ages while it waits. */
const maxQueueDelay = Duration.minutes(15);

/**
 * The oldest a message of a healthy queue gets: each of its `maxReceiveCount` receives may fail and
 * wait out the visibility timeout before it moves to the DLQ, after a delay of up to 15 minutes.
 * Older means no consumer is receiving (disabled mapping, throttling, a backlog it cannot clear).
 */
export function workQueueMaxAge(maxReceiveCount: number, visibilityTimeout: Duration): Duration {
  return Duration.seconds(maxReceiveCount * visibilityTimeout.toSeconds() + maxQueueDelay.toSeconds());
}

/**
 * `failures` as a percentage of `total` per period, 0 while failures stay under the rule's
 * minimum. `failures` and `total` are summed per period. `idSuffix` keeps the expression's metric
 * ids apart from those of other rates on one graph.
 */
export function failureRate(
  failures: cloudwatch.IMetric,
  total: cloudwatch.IMetric,
  rule: RateAlarmRule,
  label: string,
  idSuffix = '',
): cloudwatch.MathExpression {
  const [f, t] = [`failures${idSuffix}`, `total${idSuffix}`];
  return new cloudwatch.MathExpression({
    expression: `IF(${f} >= ${rule.minimumFailures}, 100 * ${f} / ${t}, 0)`,
    usingMetrics: { [f]: failures, [t]: total },
    period: rule.period,
    label,
  });
}

/** How long a rule's threshold must hold, for alarm descriptions: `for 15 minutes`, `in 2 of 3 periods of 5 minutes`. */
export function heldFor(rule: AlarmRule): string {
  if (rule.datapointsToAlarm === rule.evaluationPeriods) {
    return `for ${Duration.seconds(rule.period.toSeconds() * rule.evaluationPeriods).toHumanString()}`;
  }
  return `in ${rule.datapointsToAlarm} of ${rule.evaluationPeriods} periods of ${rule.period.toHumanString()}`;
}

/** An alarm that notifies `action` when `metric` reaches the rule's threshold, and again when it clears. */
export function pageOperator(
  scope: Construct,
  id: string,
  metric: cloudwatch.IMetric,
  rule: AlarmRule,
  description: string,
  action: cloudwatch.IAlarmAction,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric,
    alarmDescription: description,
    threshold: rule.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: rule.evaluationPeriods,
    datapointsToAlarm: rule.datapointsToAlarm,
    // No data means no traffic, or a queue nobody wrote to: nothing is failing.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}
