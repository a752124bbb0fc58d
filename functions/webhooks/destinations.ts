// Event destinations: a rule on the Plinth bus that forwards one tenant's events, and only those, to
// an event bus in the tenant's own AWS account within its residency zone.
import {
  DeleteRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { ulid } from 'ulid';
import { eventSource } from '../../events/catalog.ts';
import { zoneOf, type ResidencyZone } from '../../libs/config/deployment.ts';
import type { Actor } from '../../libs/data/outbox.ts';
import { Problem, problems } from '../../libs/http/problem.ts';
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { WebhooksConfig } from './config.ts';
import type { DestinationItem } from './entities.ts';
import { maxDestinationsPerTenant } from './schemas.ts';
import type { WebhookStore } from './store.ts';

/** The rule that forwards a tenant's events; it exists once `put` resolves and is gone once `remove` does. */
export interface DestinationRules {
  /** `roleArn` is the role EventBridge assumes to put events on the tenant's bus. */
  put(rule: { name: string; tenantId: string; eventBusArn: string; roleArn: string }): Promise<void>;
  /** Removing a rule that does not exist succeeds, so an interrupted delete can be repeated. */
  remove(name: string): Promise<void>;
}

/** What creating and deleting destinations needs: the routes' dependencies satisfy it. */
export interface DestinationDeps {
  config: Pick<WebhooksConfig, 'eventDestinationRoleArn'> & {
    runtime: Pick<RuntimeConfig, 'deployment' | 'region'>;
  };
  store: Pick<
    WebhookStore,
    | 'destinationsOf'
    | 'reserveDestination'
    | 'activateDestination'
    | 'removeDestination'
    | 'getDestination'
    | 'markDestinationDeleting'
  >;
  rules: DestinationRules;
  clock: () => Date;
}

const targetId = 'tenant-bus';

/** EventBridge's longest: 185 attempts over 24 hours, then the dead-letter queue. */
export const forwardRetryPolicy = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

/** Only events from Plinth about this tenant match. */
export function destinationPattern(tenantId: string) {
  return { source: [eventSource], detail: { tenantId: [tenantId] } };
}

export function createDestinationRules(
  client: EventBridgeClient,
  options: {
    busName: string;
    /** Where EventBridge parks an event it could not forward within the retry policy. */
    deadLetterArn: string | undefined;
  },
): DestinationRules {
  const { busName, deadLetterArn } = options;
  async function ignoringMissing(send: Promise<unknown>): Promise<void> {
    try {
      await send;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
  return {
    async put({ name, tenantId, eventBusArn, roleArn }) {
      await client.send(
        new PutRuleCommand({
          Name: name,
          EventBusName: busName,
          EventPattern: JSON.stringify(destinationPattern(tenantId)),
          State: 'ENABLED',
          Description: `Events of tenant ${tenantId} to ${eventBusArn}`,
        }),
      );
      const result = await client.send(
        new PutTargetsCommand({
          Rule: name,
          EventBusName: busName,
          Targets: [
            {
              Id: targetId,
              Arn: eventBusArn,
              RoleArn: roleArn,
              // A tenant's bus that refuses for a day (a policy changed, the bus deleted) must not
              // silently drop what Plinth accepted: EventBridge parks those events instead.
              RetryPolicy: forwardRetryPolicy,
              ...(deadLetterArn ? { DeadLetterConfig: { Arn: deadLetterArn } } : {}),
            },
          ],
        }),
      );
      const failed = result.FailedEntries?.[0];
      if ((result.FailedEntryCount ?? 0) > 0 || failed) {
        throw new Error(
          `EventBridge refused the target: ${failed?.ErrorCode ?? ''} ${failed?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
    async remove(name) {
      await ignoringMissing(
        client.send(new RemoveTargetsCommand({ Rule: name, EventBusName: busName, Ids: [targetId] })),
      );
      await ignoringMissing(client.send(new DeleteRuleCommand({ Name: name, EventBusName: busName })));
    },
  };
}

export interface EventBusArn {
  partition: string;
  region: string;
  accountId: string;
  busName: string;
}

const busArnPattern =
  /^arn:(aws|aws-us-gov|aws-cn):events:([a-z]{2}(?:-gov)?-[a-z]+-\d+):(\d{12}):event-bus\/([A-Za-z0-9._\-/]{1,256})$/;

export function parseEventBusArn(arn: string): EventBusArn | undefined {
  const match = busArnPattern.exec(arn);
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', busName = ''] = match;
  return { partition, region, accountId, busName };
}

/** The residency zone of any AWS region: eu-* is EU, us-* is US; other regions are in no zone Plinth serves. */
export function residencyZoneOfRegion(region: string): ResidencyZone | undefined {
  if (region.startsWith('eu-')) return 'EU';
  if (region.startsWith('us-')) return 'US';
  return undefined;
}

/** The account of an IAM role ARN, e.g. Plinth's own from the destination role. */
function accountOf(roleArn: string): string | undefined {
  return /^arn:[a-z-]+:iam::(\d{12}):/.exec(roleArn)?.[1];
}

/**
 * Refuses a bus that is not a well-formed event bus ARN, lies outside `homeZone`, or belongs to
 * Plinth's own account (its own bus would loop; its other buses are not the tenant's).
 */
export function checkDestinationArn(
  arn: string,
  homeZone: ResidencyZone,
  plinthAccountId: string | undefined,
): EventBusArn {
  const bus = parseEventBusArn(arn);
  if (!bus) {
    throw problems.validation([
      {
        path: 'body.eventBusArn',
        code: 'invalid_arn',
        message: 'must be an event bus ARN: arn:aws:events:<region>:<account id>:event-bus/<name>',
      },
    ]);
  }
  const zone = residencyZoneOfRegion(bus.region);
  if (zone !== homeZone) {
    throw new Problem(
      422,
      'outside_residency_zone',
      `The tenant's data stays in the ${homeZone} residency zone; ${bus.region} is ${zone ? `in the ${zone} zone` : 'in no zone Plinth serves'}.`,
      { extensions: { region: bus.region, zone: homeZone } },
    );
  }
  if (plinthAccountId !== undefined && bus.accountId === plinthAccountId) {
    throw new Problem(
      422,
      'destination_not_allowed',
      "An event destination must be a bus in the tenant's own AWS account, not in Plinth's.",
    );
  }
  return bus;
}

export function destinationResource(d: DestinationItem) {
  return {
    id: d.destinationId,
    eventBusArn: d.eventBusArn,
    ruleName: d.ruleName,
    status: d.status,
    createdAt: d.createdAt,
  };
}

function requireRoleArn(deps: DestinationDeps): string {
  const roleArn = deps.config.eventDestinationRoleArn;
  if (!roleArn) {
    throw new Problem(
      501,
      'event_destinations_unavailable',
      'This deployment does not forward events to other AWS accounts (it runs without EventBridge on AWS).',
    );
  }
  return roleArn;
}

/**
 * Records the destination as `creating`, creates its rule, then activates it with its event. If the
 * rule cannot be made, the record is removed again and nothing was announced.
 */
export async function createDestination(
  deps: DestinationDeps,
  tenantId: string,
  eventBusArn: string,
  actor: Actor,
): Promise<DestinationItem> {
  const roleArn = requireRoleArn(deps);
  const { deployment, region } = deps.config.runtime;
  const homeZone = zoneOf(deployment, region);
  if (!homeZone) throw new Error(`region ${region} is not in the deployment config`);
  checkDestinationArn(eventBusArn, homeZone, accountOf(roleArn));

  const { items, version } = await deps.store.destinationsOf(tenantId);
  const existing = items.find((d) => d.eventBusArn === eventBusArn);
  if (existing) {
    throw problems.conflict('destination_exists', 'The tenant already forwards its events to this bus.', {
      destinationId: existing.destinationId,
    });
  }
  if (items.length >= maxDestinationsPerTenant) {
    throw problems.conflict(
      'limit_reached',
      `A tenant may have at most ${maxDestinationsPerTenant} event destinations.`,
      { limit: maxDestinationsPerTenant, resource: 'eventDestinations' },
    );
  }
  const now = deps.clock();
  const destinationId = `dst_${ulid(now.getTime())}`;
  const destination: DestinationItem = {
    tenantId,
    destinationId,
    eventBusArn,
    ruleName: `${deployment.name}-dest-${destinationId}`,
    status: 'creating',
    createdAt: now.toISOString(),
  };
  await deps.store.reserveDestination(destination, version);
  try {
    await deps.rules.put({ name: destination.ruleName, tenantId, eventBusArn, roleArn });
  } catch (error) {
    const undoFailure = await undoReservation(deps, destination, actor);
    // The causes are logged with the 5xx, not shown: they name Plinth's own roles and resources.
    throw Object.assign(
      new Problem(
        502,
        'destination_rejected',
        'EventBridge did not accept the rule for this bus; try again later.',
      ),
      { cause: error, ...(undoFailure ? { undoFailure } : {}) },
    );
  }
  return deps.store.activateDestination(destination, actor);
}

/** Why a destination whose rule could not be made is still recorded, for the log of the failed create. */
export interface UndoFailure {
  destinationId: string;
  ruleName: string;
  error: string;
}

/**
 * Takes back a destination whose rule could not be made. If that fails too, the record stays
 * `creating`, listed, and DELETE finishes the job; the caller still learns the create failed, and
 * the failure says what was left behind.
 */
async function undoReservation(
  deps: DestinationDeps,
  destination: DestinationItem,
  actor: Actor,
): Promise<UndoFailure | undefined> {
  try {
    await deps.rules.remove(destination.ruleName);
    await deps.store.removeDestination(destination, false, actor);
    return undefined;
  } catch (error) {
    return {
      destinationId: destination.destinationId,
      ruleName: destination.ruleName,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Marks the destination `deleting`, removes its rule, then the record; repeating an interrupted delete finishes it. */
export async function deleteDestination(
  deps: DestinationDeps,
  tenantId: string,
  destinationId: string,
  actor: Actor,
): Promise<void> {
  const destination = await deps.store.getDestination(tenantId, destinationId);
  if (!destination) throw problems.notFound('The event destination');
  if (destination.status !== 'deleting') await deps.store.markDestinationDeleting(destination);
  await deps.rules.remove(destination.ruleName);
  await deps.store.removeDestination(destination, destination.status !== 'creating', actor);
}
