// Webhook endpoints: what a valid endpoint is (reachable URL, catalog event types), its signing
// secrets (sealed at rest, shown on demand, rotated with 24 hours of overlap) and recovery jobs.
import { ulid } from 'ulid';
import { eventTypes as catalogTypes } from '../../events/catalog.ts';
import type { Actor } from '../../libs/data/outbox.ts';
import type { JobItem } from '../../libs/data/entities.ts';
import { problems } from '../../libs/http/problem.ts';
import { newJobItem } from '../../libs/jobs/job.ts';
import type { WebhooksDeps } from './context.ts';
import type { EndpointItem, EndpointSecret } from './entities.ts';
import { maxEndpointsPerTenant } from './schemas.ts';
import { generateSigningSecret, liveSecrets } from './signing.ts';
import { checkEndpointUrl, UrlRefused } from '../../libs/net/url-guard.ts';

/** How long a rotated-out secret keeps signing deliveries. */
export const previousSecretValidityMs = 24 * 60 * 60 * 1000;
/** Rotated-out secrets kept at once; a burst of rotations drops the oldest early. */
const maxPreviousSecrets = 3;
/** The job kind of `POST /v1/webhooks/{id}/recover`, run by the recover runner. */
export const recoverJobKind = 'webhooks.recover';

const allTypes = '*';
const knownTypes: ReadonlySet<string> = new Set(catalogTypes);

export function endpointResource(e: EndpointItem) {
  return {
    id: e.endpointId,
    url: e.url,
    ...(e.description !== undefined ? { description: e.description } : {}),
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    ...(e.disabledReason !== undefined ? { disabledReason: e.disabledReason } : {}),
    ...(e.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: e.rateLimitPerSecond } : {}),
    ...(e.failingSince !== undefined ? { failingSince: e.failingSince } : {}),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

/** The filter as stored: `['*']`, or catalog types without repeats. Unknown types are a field error naming them. */
export function checkEventTypes(types: readonly string[]): string[] {
  const unique = [...new Set(types)];
  if (unique.includes(allTypes)) {
    if (unique.length === 1) return unique;
    throw problems.validation([
      {
        path: 'body.eventTypes',
        code: 'invalid_event_types',
        message: '"*" means every type; list nothing else with it',
      },
    ]);
  }
  const unknown = unique.filter((t) => !knownTypes.has(t));
  if (unknown.length > 0) {
    throw problems.validation([
      {
        path: 'body.eventTypes',
        code: 'unknown_event_type',
        message: `unknown event types: ${unknown.join(', ')} (GET /v1/event-types lists them)`,
      },
    ]);
  }
  return unique;
}

/** Refuses a URL the delivery worker would refuse, as a field error of `body.url`. */
async function checkUrl(deps: WebhooksDeps, url: string): Promise<void> {
  try {
    await checkEndpointUrl(url, { ...deps.config.guard, resolve: deps.resolve });
  } catch (error) {
    if (!(error instanceof UrlRefused)) throw error;
    throw problems.validation([{ path: 'body.url', code: error.code, message: error.message }]);
  }
}

export interface CreateEndpointInput {
  url: string;
  description?: string | undefined;
  eventTypes: string[];
  enabled: boolean;
  rateLimitPerSecond?: number | undefined;
}

export async function createEndpoint(
  deps: WebhooksDeps,
  tenantId: string,
  input: CreateEndpointInput,
  actor: Actor,
): Promise<{ endpoint: EndpointItem; secret: string }> {
  const eventTypes = checkEventTypes(input.eventTypes);
  await checkUrl(deps, input.url);
  const now = deps.clock();
  const at = now.toISOString();
  const secret = generateSigningSecret();
  const endpoint: EndpointItem = {
    tenantId,
    endpointId: `ep_${ulid(now.getTime())}`,
    url: input.url,
    description: input.description,
    eventTypes,
    enabled: input.enabled,
    disabledReason: input.enabled ? undefined : 'manual',
    rateLimitPerSecond: input.rateLimitPerSecond,
    secrets: [{ sealed: deps.secretBox.seal(secret), createdAt: at }],
    createdAt: at,
    updatedAt: at,
  };
  await deps.store.createEndpoint(endpoint, maxEndpointsPerTenant, actor);
  return { endpoint, secret };
}

export interface UpdateEndpointInput {
  url?: string | undefined;
  description?: string | null | undefined;
  eventTypes?: string[] | undefined;
  enabled?: boolean | undefined;
  rateLimitPerSecond?: number | null | undefined;
}

const publicFields = ['url', 'description', 'eventTypes', 'enabled', 'rateLimitPerSecond'] as const;

/** Applies a PATCH; re-enabling clears why it was disabled and the failure streak. No change, no event. */
export async function updateEndpoint(
  deps: WebhooksDeps,
  tenantId: string,
  endpointId: string,
  input: UpdateEndpointInput,
  actor: Actor,
): Promise<EndpointItem> {
  const current = await deps.store.requireEndpoint(tenantId, endpointId);
  const eventTypes = input.eventTypes === undefined ? current.eventTypes : checkEventTypes(input.eventTypes);
  if (input.url !== undefined && input.url !== current.url) await checkUrl(deps, input.url);
  const enabled = input.enabled ?? current.enabled;
  const next: EndpointItem = {
    ...current,
    url: input.url ?? current.url,
    description: input.description === undefined ? current.description : (input.description ?? undefined),
    eventTypes,
    enabled,
    rateLimitPerSecond:
      input.rateLimitPerSecond === undefined
        ? current.rateLimitPerSecond
        : (input.rateLimitPerSecond ?? undefined),
  };
  if (enabled !== current.enabled) {
    next.disabledReason = enabled ? undefined : 'manual';
    if (enabled) next.failingSince = undefined;
  }
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of publicFields) {
    if (JSON.stringify(current[field]) !== JSON.stringify(next[field])) {
      changes[field] = { from: current[field] ?? null, to: next[field] ?? null };
    }
  }
  if (Object.keys(changes).length === 0) return current;
  next.updatedAt = deps.clock().toISOString();
  return deps.store.updateEndpoint(current, next, changes, actor);
}

export async function revealSecrets(deps: WebhooksDeps, tenantId: string, endpointId: string) {
  const endpoint = await deps.store.requireEndpoint(tenantId, endpointId);
  const [current, previous] = liveSecrets(endpoint.secrets, deps.clock());
  if (!current) throw new Error(`webhook endpoint ${endpointId} has no signing secret`);
  return {
    secret: deps.secretBox.open(current.sealed),
    ...(previous
      ? { previousSecret: deps.secretBox.open(previous.sealed), previousSecretExpiresAt: previous.expiresAt }
      : {}),
  };
}

/** A new current secret; the one it replaces keeps signing for 24 hours, as do earlier ones until they expire. */
export async function rotateSecret(deps: WebhooksDeps, tenantId: string, endpointId: string, actor: Actor) {
  const endpoint = await deps.store.requireEndpoint(tenantId, endpointId);
  const now = deps.clock();
  const [current, ...older] = liveSecrets(endpoint.secrets, now);
  const secret = generateSigningSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + previousSecretValidityMs).toISOString();
  const secrets: EndpointSecret[] = [
    { sealed: deps.secretBox.seal(secret), createdAt: now.toISOString() },
    ...(current ? [{ ...current, expiresAt: previousSecretExpiresAt }] : []),
    ...older,
  ].slice(0, 1 + maxPreviousSecrets);
  await deps.store.rotateSecrets(endpoint, secrets, previousSecretExpiresAt, actor);
  return { secret, previousSecretExpiresAt };
}

/** A job that re-sends every failed delivery of the endpoint created since `since`. */
export async function requestRecovery(
  deps: WebhooksDeps,
  tenantId: string,
  endpointId: string,
  since: string,
  caller: { actor: Actor; plan: string },
): Promise<JobItem> {
  await deps.store.requireEndpoint(tenantId, endpointId);
  const now = deps.clock();
  const sinceAt = new Date(since);
  if (sinceAt.getTime() > now.getTime()) {
    throw problems.validation([
      { path: 'body.since', code: 'in_the_future', message: 'must not be in the future' },
    ]);
  }
  const { deployment } = deps.config.runtime;
  // A plan renamed since the credential was issued falls back to the default plan's retention.
  const plan = deployment.plans[caller.plan] ?? deployment.plans[deployment.defaultPlan];
  if (!plan) throw new Error(`deployment has no plan "${deployment.defaultPlan}"`);
  const job = newJobItem(
    {
      tenantId,
      kind: recoverJobKind,
      input: { endpointId, since: sinceAt.toISOString() },
      // Known once the job has paged through the deliveries; counting here would read them all in the request.
      total: 0,
      createdBy: `${caller.actor.type}:${caller.actor.id}`,
      retentionDays: plan.limits.retentionDays,
    },
    now,
  );
  return deps.store.createJob(job);
}
