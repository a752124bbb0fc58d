// Builds the Plinth app the way infra/app.ts does, with cdk.json's context and with a stand-in
// for the bundled handler code, so infra tests synthesize in seconds without esbuild.
import { readFileSync } from 'node:fs';
import { App, Duration, type Stack } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { authorizer, contexts } from '../../functions/manifests.ts';
import {
  parseDeploymentConfig,
  type DeploymentConfig,
  type DeploymentConfigInput,
} from '../../libs/config/deployment.ts';
import { deploymentKeyNames, deploymentKeys, type DeploymentKey } from '../../libs/config/keys.ts';
import { mainTable } from '../../libs/data/design.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import type { RegionalResources } from '../../infra/constructs/declared-access.ts';
import { EventDestinationRole } from '../../infra/constructs/event-destination-role.ts';
import { OneTimeSchedules } from '../../infra/constructs/one-time-schedules.ts';
import { PlinthTable } from '../../infra/constructs/plinth-table.ts';
import type { HandlerCode } from '../../infra/constructs/service-function.ts';
import config from '../../infra/plinth.config.ts';
import {
  addPlinthChecks,
  addPlinthStacks,
  plinthFeatureFlags,
  type PlinthStacks,
  type RegionalStacks,
} from '../../infra/stacks/plinth.ts';
import { deriveTopology, type Topology } from '../../infra/topology.ts';

/** Inline code that exports the requested handler; the template is what infra tests look at. */
export const placeholderCode: HandlerCode = {
  codeFor: (name, exportName) =>
    lambda.Code.fromInline(
      `exports.${exportName} = async () => { throw new Error('placeholder for bundle ${name}'); };`,
    ),
};

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface PlinthTestApp {
  readonly app: App;
  readonly stacks: PlinthStacks;
  readonly deployment: DeploymentConfig;
  readonly topology: Topology;
}

export function buildPlinth(
  options: { config?: DeploymentConfigInput; contexts?: readonly ContextManifest[] } = {},
): PlinthTestApp {
  const deployment = parseDeploymentConfig(options.config ?? config);
  const topology = deriveTopology(options.contexts ?? contexts, authorizer);
  const app = new App({ context: { ...plinthFeatureFlags, ...cdkJsonContext() } });
  const stacks = addPlinthStacks(app, { deployment, topology, code: placeholderCode });
  addPlinthChecks(app, deployment);
  return { app, stacks, deployment, topology };
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
}

/** Every AwsSolutions finding that is not acknowledged, errors and warnings alike. */
export function nagFindings(scope: IConstruct): NagFinding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    paths: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? 'unknown'),
  }));
}

/**
 * Every regional resource a function may be granted, in one stack of the EU zone, for tests of
 * ServiceFunction on its own: work queues `alpha` and `beta` with their DLQs, and a user pool.
 */
export function standaloneResources(stack: Stack, deployment: DeploymentConfig): RegionalResources {
  const queues = new Map<string, sqs.Queue>();
  const deadLetterQueues = new Map<string, sqs.Queue>();
  for (const name of ['alpha', 'beta']) {
    const dlq = new sqs.Queue(stack, `${name}-dlq`);
    deadLetterQueues.set(name, dlq);
    queues.set(
      name,
      new sqs.Queue(stack, name, {
        visibilityTimeout: Duration.minutes(2),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
      }),
    );
  }
  const pool = new cognito.UserPool(stack, 'Pool');
  return {
    deployment,
    table: new PlinthTable(stack, 'Table', { design: mainTable }),
    directoryTableName: 'plinth-tenant-directory',
    bus: new events.EventBus(stack, 'Bus', { eventBusName: 'plinth-events' }),
    queues,
    deadLetterQueues,
    keys: Object.fromEntries(
      deploymentKeyNames.map((name) => [
        name,
        new secretsmanager.Secret(stack, deploymentKeys[name].constructId),
      ]),
    ) as Record<DeploymentKey, secretsmanager.Secret>,
    schedules: new OneTimeSchedules(stack, 'Delays', {
      scheduleGroupName: 'plinth-delays',
      queues: [...queues.values()],
    }),
    eventDestinations: new EventDestinationRole(stack, 'EventDestinations', {
      zone: 'EU',
      eventBusName: 'plinth-events',
      rulePrefix: 'plinth-dest-',
      alarmAction: new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Alarms')),
    }),
    userPool: {
      pool,
      clientIds: [pool.addClient('FirstParty').userPoolClientId, pool.addClient('Console').userPoolClientId],
    },
  };
}

/** The regions of infra/plinth.config.ts: one in each residency zone. */
export const configuredRegions = ['us-east-1', 'eu-central-1'] as const;

export function regionalStacks(plinth: PlinthTestApp, region: string): RegionalStacks {
  const stacks = plinth.stacks.regions.get(region);
  if (!stacks) throw new Error(`no stacks for region ${region}`);
  return stacks;
}

/** The app, and one template per region of one kind of regional stack, each built on first use. */
export function regionalTemplates(kind: 'data' | 'api') {
  let app: PlinthTestApp | undefined;
  const templates = new Map<string, Template>();
  const plinth = (): PlinthTestApp => (app ??= buildPlinth());
  return {
    plinth,
    template(region: string): Template {
      let found = templates.get(region);
      if (!found) {
        found = Template.fromStack(regionalStacks(plinth(), region)[kind]);
        templates.set(region, found);
      }
      return found;
    },
  };
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
>;

/** The template's resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The one resource of a type whose logical id starts with `prefix` (construct ids are stable). */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOfType(template, type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}
