// Access patterns of deliveries and attempts: the API's reads, a manual retry and a test event, and
// the engine's conditional writes that make every attempt happen (and be logged) at most once.
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createConversions, createWriteTransaction } from 'electrodb';
import { encodeTime, ulid } from 'ulid';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { Entities } from '../../libs/data/entities.ts';
import { readFilteredPage, type FilteredPageBounds } from '../../libs/data/filtered-page.ts';
import { ifConditionHolds, type Page, type PageRequest } from '../../libs/data/outbox.ts';
import { Problem, problems } from '../../libs/http/problem.ts';
import {
  deliveryKey,
  dueFields,
  type AttemptItem,
  type DeliveryEntities,
  type DeliveryItem,
  type DeliveryStatus,
} from './delivery-entities.ts';
import { testEventType, webhookPayload } from './delivery-schemas.ts';
import type { DeliveryMessage } from './delays.ts';

export type { DeliveryItem } from './delivery-entities.ts';
export { sweepShardCount } from './delivery-entities.ts';

export interface DeliveryStoreDeps {
  /** `createDeliveryEntities(...)` and the shared entities (the tenant gives the plan's retention). */
  entities: DeliveryEntities & Pick<Entities, 'tenant'>;
  sqs: SQSClient;
  deliveriesQueueUrl: string;
  deployment: DeploymentConfig;
  /** How much one filtered page of the delivery log may read. @default defaultFilteredPageBounds */
  pageBounds?: FilteredPageBounds;
  clock?: () => Date;
}

export interface DeliveryFilter {
  status?: DeliveryStatus | undefined;
  eventType?: string | undefined;
}

/** What the engine records of one finished attempt and where it leaves the delivery. */
export interface AttemptRecord {
  attempt: Pick<AttemptItem, 'at' | 'statusCode' | 'error' | 'durationMs' | 'responseBody'>;
  next:
    | { status: 'succeeded' }
    | { status: 'failed'; error: string }
    | { status: 'pending'; nextAttemptAt: string; error: string };
}

export interface RecoverRange {
  /** Deliveries of events at or after this time. */
  since: Date;
  /** The recovery's request time: deliveries that changed after it are not re-sent. */
  asOf: Date;
}

/** The lowest delivery id (a ULID) of an event at or after `at`, and the highest of any. */
const firstIdAt = (at: Date) => `${encodeTime(at.getTime(), 10)}0000000000000000`;
const lastId = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ';

const retentionCacheMs = 5 * 60_000;

/** The message that asks for a delivery's next attempt. */
export function nextAttemptMessage(delivery: DeliveryItem): DeliveryMessage {
  return { ...deliveryKey(delivery), attempt: delivery.attempts + 1 };
}

export function createDeliveryStore(deps: DeliveryStoreDeps) {
  const clock = deps.clock ?? (() => new Date());
  const { webhookDelivery, webhookAttempt } = deps.entities;
  const deliveryCursor = createConversions(webhookDelivery).byAccessPattern.byEndpoint.fromComposite;
  const retention = new Map<string, { days: number; until: number }>();

  /** Days a tenant's delivery logs are kept: its plan's retention, read at most every few minutes. */
  async function retentionDaysOf(tenantId: string): Promise<number> {
    const cached = retention.get(tenantId);
    const now = clock().getTime();
    if (cached && cached.until > now) return cached.days;
    const { data: tenant } = await deps.entities.tenant.get({ tenantId }).go();
    const plans = deps.deployment.plans;
    const plan = (tenant && plans[tenant.plan]) ?? plans[deps.deployment.defaultPlan];
    const days = plan?.limits.retentionDays ?? 30;
    retention.set(tenantId, { days, until: now + retentionCacheMs });
    return days;
  }

  async function expiresAtOf(tenantId: string, from: Date): Promise<number> {
    return Math.floor(from.getTime() / 1000) + (await retentionDaysOf(tenantId)) * 86_400;
  }

  async function listDeliveries(
    tenantId: string,
    endpointId: string,
    filter: DeliveryFilter,
    page: PageRequest,
  ): Promise<Page<DeliveryItem>> {
    const query = webhookDelivery.query
      .byEndpoint({ tenantId, endpointId })
      .where((a, op) =>
        [
          filter.status ? op.eq(a.status, filter.status) : '',
          filter.eventType ? op.eq(a.eventType, filter.eventType) : '',
        ]
          .filter(Boolean)
          .join(' AND '),
      );
    return readFilteredPage(
      (read) => query.go({ ...read, order: 'desc' }),
      (d) => deliveryCursor.toCursor(deliveryKey(d)),
      page,
      deps.pageBounds,
    );
  }

  async function getDelivery(
    tenantId: string,
    endpointId: string,
    deliveryId: string,
  ): Promise<DeliveryItem | undefined> {
    const { data } = await webhookDelivery.get({ tenantId, endpointId, deliveryId }).go({ consistent: true });
    return data ?? undefined;
  }

  /** A delivery's attempts, oldest first. */
  async function listAttempts(
    tenantId: string,
    endpointId: string,
    deliveryId: string,
    page: PageRequest,
  ): Promise<Page<AttemptItem>> {
    const result = await webhookAttempt.query
      .byDelivery({ tenantId, endpointId, deliveryId })
      .go({ order: 'asc', limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  /**
   * What a recovery re-sends, oldest first: failed deliveries of events in the range that last changed
   * before it was requested. Those it re-sends change, so a re-run of the same job skips them. A page
   * reads a bounded number of deliveries and may come back short (even empty) with a position.
   */
  async function listRecoverable(
    key: { tenantId: string; endpointId: string },
    range: RecoverRange,
    page: PageRequest,
  ): Promise<Page<DeliveryItem>> {
    const query = webhookDelivery.query
      .byEndpoint(key)
      .between({ deliveryId: firstIdAt(range.since) }, { deliveryId: lastId })
      .where((a, op) => `${op.eq(a.status, 'failed')} AND ${op.lt(a.updatedAt, range.asOf.toISOString())}`);
    return readFilteredPage(
      (read) => query.go({ ...read, order: 'asc' }),
      (d) => deliveryCursor.toCursor(deliveryKey(d)),
      page,
    );
  }

  /** Pending deliveries of one sweep partition whose next attempt was due before `before`. */
  async function listOverdue(
    sweepShard: string,
    before: Date,
    page: PageRequest,
  ): Promise<Page<DeliveryItem>> {
    const result = await webhookDelivery.query
      .pendingByDue({ status: 'pending', sweepShard })
      .lt({ nextAttemptAt: before.toISOString() })
      .go({ limit: page.limit, cursor: page.position ?? null });
    return { items: result.data, position: result.cursor };
  }

  /**
   * Moves an overdue delivery's due time to `now`, unless anything changed it since it was read; true
   * when it did, so two sweeps never queue the same delivery and it is not queued again for a while.
   */
  async function claimRequeue(delivery: DeliveryItem, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await ifConditionHolds(
      webhookDelivery
        .patch(deliveryKey(delivery))
        .set({ ...dueFields(delivery, 'pending', at), updatedAt: at })
        .where(
          (a, op) =>
            `${op.eq(a.status, 'pending')} AND ${op.eq(a.attempts, delivery.attempts)} AND ${op.eq(a.nextAttemptAt, delivery.nextAttemptAt)}`,
        )
        .go({ response: 'none' }),
    );
    return result !== undefined;
  }

  /** Sends messages for attempts due now, ten to a call. */
  async function enqueueNow(messages: readonly DeliveryMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await deps.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: deps.deliveriesQueueUrl,
          Entries: chunk.map((m, n) => ({ Id: String(n), MessageBody: JSON.stringify(m) })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) throw new Error(`could not queue ${failed.length} delivery messages`);
    }
  }

  /**
   * Makes a delivery pending again with its next attempt due now, unless it changed since it was read
   * (an attempt in flight): the message for that next attempt carries the same webhook-id.
   */
  async function reopen(delivery: DeliveryItem): Promise<DeliveryItem | undefined> {
    const now = clock().toISOString();
    const result = await ifConditionHolds(
      webhookDelivery
        .patch(deliveryKey(delivery))
        .set({ ...dueFields(delivery, 'pending', now), updatedAt: now })
        .remove(['completedAt'])
        .where((a, op) => `${op.eq(a.attempts, delivery.attempts)} AND ${op.eq(a.status, delivery.status)}`)
        .go({ response: 'all_new' }),
    );
    return result?.data;
  }

  async function retryNow(tenantId: string, endpoint: { endpointId: string }, deliveryId: string) {
    const current = await getDelivery(tenantId, endpoint.endpointId, deliveryId);
    if (!current) throw problems.notFound('The delivery');
    const reopened = await reopen(current);
    if (!reopened) {
      throw new Problem(409, 'concurrent_update', 'The delivery is being attempted right now; try again.');
    }
    await enqueueNow([nextAttemptMessage(reopened)]);
    return reopened;
  }

  /** Puts a new pending delivery; false when it already exists (the same event fanned out again). */
  async function createDelivery(delivery: DeliveryItem): Promise<boolean> {
    return (await ifConditionHolds(webhookDelivery.create(delivery).go())) !== undefined;
  }

  /** A new pending delivery of an event to an endpoint, its first attempt due after `delaySeconds`. */
  async function newDelivery(
    event: Parameters<typeof webhookPayload>[0],
    endpointId: string,
    now: Date,
    delaySeconds = 0,
  ): Promise<DeliveryItem> {
    const key = { tenantId: event.tenantId, endpointId, deliveryId: event.id };
    return {
      ...key,
      eventType: event.type,
      payload: webhookPayload(event),
      ...dueFields(key, 'pending', new Date(now.getTime() + delaySeconds * 1000).toISOString()),
      attempts: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: await expiresAtOf(event.tenantId, now),
    };
  }

  /** A `webhook.test` delivery to the endpoint, whatever its event type filter, queued now. */
  async function sendTestEvent(tenantId: string, endpoint: { endpointId: string }, now: Date) {
    const event = {
      id: ulid(now.getTime()),
      type: testEventType,
      version: 1,
      tenantId,
      actor: { type: 'system', id: 'webhooks' },
      occurredAt: now.toISOString(),
      data: { endpointId: endpoint.endpointId, message: 'A test event sent by Plinth.' },
    };
    const delivery = await newDelivery(event, endpoint.endpointId, now);
    await createDelivery(delivery);
    await enqueueNow([nextAttemptMessage(delivery)]);
    return delivery;
  }

  /** Takes attempt n: only one message for it ever succeeds, so duplicates never log twice. */
  async function claimAttempt(message: DeliveryMessage): Promise<DeliveryItem | undefined> {
    const now = clock().toISOString();
    const result = await ifConditionHolds(
      webhookDelivery
        .patch(deliveryKey(message))
        // A claimed attempt counts as due now: the sweeper leaves it alone while it can still finish.
        .set({ ...dueFields(message, 'pending', now), attempts: message.attempt, updatedAt: now })
        .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.attempts, message.attempt - 1)}`)
        .go({ response: 'all_new' }),
    );
    return result?.data;
  }

  /** Logs a claimed attempt and moves its delivery on, in one transaction. */
  async function recordAttempt(delivery: DeliveryItem, record: AttemptRecord): Promise<void> {
    const { attempt, next } = record;
    const expiresAt = await expiresAtOf(delivery.tenantId, new Date(attempt.at));
    const updatedAt = clock().toISOString();
    const statusCode = attempt.statusCode === undefined ? {} : { lastStatusCode: attempt.statusCode };
    const result = await createWriteTransaction(deps.entities, (e) => [
      e.webhookAttempt
        .create({ ...deliveryKey(delivery), attempt: delivery.attempts, ...attempt, expiresAt })
        .commit(),
      next.status === 'succeeded'
        ? e.webhookDelivery
            .patch(deliveryKey(delivery))
            .set({
              ...dueFields(delivery, 'succeeded', updatedAt),
              ...statusCode,
              updatedAt,
              completedAt: updatedAt,
            })
            .remove(['lastError'])
            .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.attempts, delivery.attempts)}`)
            .commit()
        : e.webhookDelivery
            .patch(deliveryKey(delivery))
            .set({
              ...dueFields(delivery, next.status, next.status === 'pending' ? next.nextAttemptAt : updatedAt),
              ...statusCode,
              lastError: next.error,
              updatedAt,
              ...(next.status === 'failed' ? { completedAt: updatedAt } : {}),
            })
            .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.attempts, delivery.attempts)}`)
            .commit(),
    ]).go();
    if (result.canceled)
      throw new Error(`attempt ${delivery.attempts} of ${delivery.deliveryId} was already recorded`);
  }

  /** Fails a pending delivery without a POST (its endpoint is disabled or gone). */
  async function failWithoutAttempt(delivery: DeliveryItem, reason: string): Promise<boolean> {
    const now = clock().toISOString();
    const result = await ifConditionHolds(
      webhookDelivery
        .patch(deliveryKey(delivery))
        .set({ ...dueFields(delivery, 'failed', now), lastError: reason, updatedAt: now, completedAt: now })
        .where((a, op) => `${op.eq(a.status, 'pending')} AND ${op.eq(a.attempts, delivery.attempts)}`)
        .go(),
    );
    return result !== undefined;
  }

  return {
    listDeliveries,
    getDelivery,
    listAttempts,
    listRecoverable,
    listOverdue,
    claimRequeue,
    retryNow,
    sendTestEvent,
    newDelivery,
    createDelivery,
    reopen,
    enqueueNow,
    claimAttempt,
    recordAttempt,
    failWithoutAttempt,
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
