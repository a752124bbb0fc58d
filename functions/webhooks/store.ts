// Access patterns of webhook endpoints and event destinations. Every change is one transaction that
// also writes its event; limits are held by the tenant's quota item inside the same transaction.
import { createWriteTransaction } from 'electrodb';
import type { Entities, JobItem } from '../../libs/data/entities.ts';
import {
  concurrentUpdate,
  eventItem,
  rejectedIndexes,
  type Actor,
  type Page,
  type PageRequest,
  underLimit,
  limitReached,
  transactionConflict,
  writeWithEvent,
  ifConditionHolds,
} from '../../libs/data/outbox.ts';
import { problems } from '../../libs/http/problem.ts';
import type { DestinationItem, EndpointItem, WebhookEntities } from './entities.ts';

export type { EndpointItem } from './entities.ts';

export type WebhookStoreEntities = Pick<Entities, 'event' | 'job'> & WebhookEntities;

/** Endpoint fields an update may change; `undefined` in the next item removes the attribute. */
const changeableFields = [
  'url',
  'description',
  'eventTypes',
  'enabled',
  'disabledReason',
  'rateLimitPerSecond',
  'failingSince',
] as const;

/** What an endpoint's events say about it: never its secrets. */
export function endpointSnapshot(e: EndpointItem) {
  return {
    id: e.endpointId,
    url: e.url,
    ...(e.description !== undefined ? { description: e.description } : {}),
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    ...(e.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: e.rateLimitPerSecond } : {}),
  };
}

export function createWebhookStore(entities: WebhookStoreEntities, clock: () => Date = () => new Date()) {
  async function getEndpoint(tenantId: string, endpointId: string): Promise<EndpointItem | undefined> {
    const { data } = await entities.webhookEndpoint.get({ tenantId, endpointId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** The tenant's endpoint; another tenant's endpoint is not found, like a missing one. */
  async function requireEndpoint(tenantId: string, endpointId: string): Promise<EndpointItem> {
    const endpoint = await getEndpoint(tenantId, endpointId);
    if (!endpoint) throw problems.notFound('The webhook endpoint');
    return endpoint;
  }

  async function listEndpoints(tenantId: string, page: PageRequest): Promise<Page<EndpointItem>> {
    const result = await entities.webhookEndpoint.query
      .byTenant({ tenantId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  /** Every endpoint of a tenant (a few dozen at most), for fan-out. */
  async function listAllEndpoints(tenantId: string): Promise<EndpointItem[]> {
    const result = await entities.webhookEndpoint.query.byTenant({ tenantId }).go({ pages: 'all' });
    return result.data;
  }

  async function createEndpoint(endpoint: EndpointItem, limit: number, actor: Actor): Promise<EndpointItem> {
    const { tenantId } = endpoint;
    const now = new Date(endpoint.createdAt);
    const event = eventItem(
      tenantId,
      actor,
      'endpoint.created',
      { endpoint: endpointSnapshot(endpoint) },
      now,
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.webhookQuota
        .update({ tenantId })
        .add({ endpoints: 1 })
        .where((a, op) => underLimit(a.endpoints, limit, op))
        .commit(),
      e.webhookEndpoint.create(endpoint).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      if (rejectedIndexes(result.data).includes(0)) {
        throw limitReached(
          limit,
          'webhookEndpoints',
          `A tenant may have at most ${limit} webhook endpoints.`,
        );
      }
      throw transactionConflict('The webhook endpoint could not be created');
    }
    return endpoint;
  }

  /**
   * Writes the fields where `next` differs from `current`, with an endpoint.updated event listing
   * `changes`, on condition that no other update came since `current` was read.
   */
  async function updateEndpoint(
    current: EndpointItem,
    next: EndpointItem,
    changes: Record<string, { from: unknown; to: unknown }>,
    actor: Actor,
  ): Promise<EndpointItem> {
    const { tenantId, endpointId } = current;
    const set: Partial<EndpointItem> = { updatedAt: next.updatedAt };
    const remove: Array<(typeof changeableFields)[number]> = [];
    // Only what changed is written: the delivery worker sets and clears failingSince on its own.
    for (const field of changeableFields) {
      if (JSON.stringify(next[field]) === JSON.stringify(current[field])) continue;
      if (next[field] !== undefined) Object.assign(set, { [field]: next[field] });
      else remove.push(field);
    }
    const event = eventItem(
      tenantId,
      actor,
      'endpoint.updated',
      { endpoint: endpointSnapshot(next), changes },
      new Date(next.updatedAt),
    );
    await writeWithEvent(entities, event, (e) => [
      e.webhookEndpoint
        .patch({ tenantId, endpointId })
        .set(set)
        .remove(remove)
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
    ]);
    return next;
  }

  /** Replaces the sealed secrets after a rotation, with its endpoint.secret_rotated event. */
  async function rotateSecrets(
    current: EndpointItem,
    secrets: EndpointItem['secrets'],
    previousSecretExpiresAt: string,
    actor: Actor,
  ): Promise<EndpointItem> {
    const { tenantId, endpointId } = current;
    const now = clock();
    const updatedAt = now.toISOString();
    const event = eventItem(
      tenantId,
      actor,
      'endpoint.secret_rotated',
      { endpointId, previousSecretExpiresAt },
      now,
    );
    await writeWithEvent(entities, event, (e) => [
      e.webhookEndpoint
        .patch({ tenantId, endpointId })
        .set({ secrets, updatedAt })
        .where((a, op) => op.eq(a.updatedAt, current.updatedAt))
        .commit(),
    ]);
    return { ...current, secrets, updatedAt };
  }

  async function deleteEndpoint(tenantId: string, endpointId: string, actor: Actor): Promise<void> {
    const endpoint = await requireEndpoint(tenantId, endpointId);
    const event = eventItem(tenantId, actor, 'endpoint.deleted', { endpointId, url: endpoint.url }, clock());
    const result = await createWriteTransaction(entities, (e) => [
      e.webhookEndpoint
        .delete({ tenantId, endpointId })
        .where((a, op) => op.exists(a.endpointId))
        .commit(),
      e.webhookQuota.update({ tenantId }).subtract({ endpoints: 1 }).commit(),
      e.event.create(event).commit(),
    ]).go();
    if (result.canceled) {
      if (rejectedIndexes(result.data).includes(0)) throw problems.notFound('The webhook endpoint');
      throw transactionConflict('The webhook endpoint could not be deleted');
    }
  }

  /** A success ends the endpoint's failing streak; nothing to do for an endpoint deleted meanwhile. */
  async function endFailingStreak(endpoint: EndpointItem): Promise<void> {
    await ifConditionHolds(
      entities.webhookEndpoint
        .patch({ tenantId: endpoint.tenantId, endpointId: endpoint.endpointId })
        .remove(['failingSince'])
        .go({ response: 'none' }),
    );
  }

  /** A failure after a success starts the streak at `at`, unless another attempt started it first. */
  async function startFailingStreak(endpoint: EndpointItem, at: Date): Promise<void> {
    await ifConditionHolds(
      entities.webhookEndpoint
        .patch({ tenantId: endpoint.tenantId, endpointId: endpoint.endpointId })
        .set({ failingSince: at.toISOString() })
        .where((a, op) => op.notExists(a.failingSince))
        .go({ response: 'none' }),
    );
  }

  /**
   * Disables an endpoint whose failing streak since `since` ran out, with its endpoint.disabled event.
   * Only the first worker to see the streak run out disables it; a cancelled transaction is that race.
   */
  async function disableFailingEndpoint(
    endpoint: EndpointItem,
    since: string,
    now: Date,
    actor: Actor,
  ): Promise<void> {
    const { tenantId, endpointId, url } = endpoint;
    const event = eventItem(
      tenantId,
      actor,
      'endpoint.disabled',
      { endpointId, url, reason: 'failing', failingSince: since },
      now,
    );
    await createWriteTransaction(entities, (e) => [
      e.webhookEndpoint
        .patch({ tenantId, endpointId })
        .set({ enabled: false, disabledReason: 'failing', updatedAt: now.toISOString() })
        .where((a, op) => `${op.eq(a.enabled, true)} AND ${op.eq(a.failingSince, since)}`)
        .commit(),
      e.event.create(event).commit(),
    ]).go();
  }

  /** Writes a job item; the jobs context queues it from the table stream. */
  async function createJob(job: JobItem): Promise<JobItem> {
    await entities.job.create(job).go();
    return job;
  }

  async function getDestination(
    tenantId: string,
    destinationId: string,
  ): Promise<DestinationItem | undefined> {
    const { data } = await entities.eventDestination
      .get({ tenantId, destinationId })
      .go({ consistent: true });
    return data ?? undefined;
  }

  async function listDestinations(tenantId: string, page: PageRequest): Promise<Page<DestinationItem>> {
    const result = await entities.eventDestination.query
      .byTenant({ tenantId })
      .go({ order: 'desc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  /**
   * Every destination of the tenant and the version of that set. A change made with this version
   * fails if another change came first, so checks made on the list (limit, one per bus) hold.
   */
  async function destinationsOf(tenantId: string): Promise<{ items: DestinationItem[]; version: number }> {
    const [{ data: quota }, { data: items }] = await Promise.all([
      entities.webhookQuota.get({ tenantId }).go({ consistent: true }),
      entities.eventDestination.query.byTenant({ tenantId }).go({ pages: 'all', consistent: true }),
    ]);
    return { items, version: quota?.destinationsVersion ?? 0 };
  }

  /** Records a destination as `creating`, before its bus rule exists; no event until it is active. */
  async function reserveDestination(destination: DestinationItem, version: number): Promise<void> {
    const { tenantId } = destination;
    const result = await createWriteTransaction(entities, (e) => [
      e.webhookQuota
        .update({ tenantId })
        .add({ destinations: 1, destinationsVersion: 1 })
        .where((a, op) =>
          version === 0 ? op.notExists(a.destinationsVersion) : op.eq(a.destinationsVersion, version),
        )
        .commit(),
      e.eventDestination.create(destination).commit(),
    ]).go();
    if (result.canceled) throw concurrentUpdate();
  }

  async function activateDestination(destination: DestinationItem, actor: Actor): Promise<DestinationItem> {
    const { tenantId, destinationId, eventBusArn } = destination;
    const event = eventItem(
      tenantId,
      actor,
      'event_destination.created',
      { destinationId, eventBusArn },
      clock(),
    );
    await writeWithEvent(entities, event, (e) => [
      e.eventDestination
        .patch({ tenantId, destinationId })
        .set({ status: 'active' })
        .where((a, op) => op.eq(a.status, 'creating'))
        .commit(),
    ]);
    return { ...destination, status: 'active' };
  }

  async function markDestinationDeleting(destination: DestinationItem): Promise<void> {
    const { tenantId, destinationId } = destination;
    await entities.eventDestination
      .patch({ tenantId, destinationId })
      .set({ status: 'deleting' })
      .where((a, op) => op.exists(a.destinationId))
      .go();
  }

  /**
   * Removes a destination whose bus rule is gone. `announce` writes event_destination.deleted; a
   * destination that never became active was never announced, so its removal is not either.
   */
  async function removeDestination(
    destination: DestinationItem,
    announce: boolean,
    actor: Actor,
  ): Promise<void> {
    const { tenantId, destinationId, eventBusArn } = destination;
    const event = eventItem(
      tenantId,
      actor,
      'event_destination.deleted',
      { destinationId, eventBusArn },
      clock(),
    );
    const result = await createWriteTransaction(entities, (e) => [
      e.eventDestination
        .delete({ tenantId, destinationId })
        .where((a, op) => op.exists(a.destinationId))
        .commit(),
      e.webhookQuota
        .update({ tenantId })
        .subtract({ destinations: 1 })
        .add({ destinationsVersion: 1 })
        .commit(),
      ...(announce ? [e.event.create(event).commit()] : []),
    ]).go();
    if (result.canceled && !rejectedIndexes(result.data).includes(0)) {
      throw transactionConflict('The event destination could not be deleted');
    }
  }

  return {
    getEndpoint,
    requireEndpoint,
    listEndpoints,
    listAllEndpoints,
    createEndpoint,
    updateEndpoint,
    rotateSecrets,
    deleteEndpoint,
    endFailingStreak,
    startFailingStreak,
    disableFailingEndpoint,
    createJob,
    getDestination,
    listDestinations,
    destinationsOf,
    reserveDestination,
    activateDestination,
    markDestinationDeleting,
    removeDestination,
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
