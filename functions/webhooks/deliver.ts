// One delivery attempt, end to end: claim it (so a duplicate message does nothing), POST the signed
// payload through the SSRF guard, log the attempt, then schedule the next one or fail the delivery;
// and keep the endpoint's failing streak, disabling it once it has failed for too long. A tenant's
// failing endpoint is the tenant's to see (the delivery log, endpoint.disabled), not an operator's
// page: only a delivery that throws (Plinth's own failure) reaches the DLQ, by the queue's redrive.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { DeploymentConfig } from '../../libs/config/deployment.ts';
import type { DeliveryQueue, DeliveryMessage } from './delays.ts';
import { webhookIdOf } from './delivery-schemas.ts';
import type { AttemptRecord, DeliveryStore } from './delivery-store.ts';
import type { EndpointItem, WebhookStore } from './store.ts';
import { rateLimitedDelaySeconds, type RateLimiter } from './rate-limit.ts';
import { delayBeforeAttempt, retryAfterSeconds, verdictOf, type AttemptOutcome } from './retry-schedule.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import { openSigningSecrets, signatureHeaders } from './signing.ts';
import { guardedLookup, parseEndpointUrl, type UrlGuardPolicy } from '../../libs/net/url-guard.ts';

export interface DeliverDeps {
  store: Pick<DeliveryStore, 'getDelivery' | 'failWithoutAttempt' | 'claimAttempt' | 'recordAttempt'>;
  endpoints: Pick<
    WebhookStore,
    'getEndpoint' | 'endFailingStreak' | 'startFailingStreak' | 'disableFailingEndpoint'
  >;
  queue: DeliveryQueue;
  rateLimiter: RateLimiter;
  secretBox: SecretBox;
  webhooks: DeploymentConfig['webhooks'];
  guard: UrlGuardPolicy;
  clock?: () => Date;
  random?: () => number;
}

export type DeliverResult =
  | 'succeeded'
  | 'retrying'
  | 'failed'
  | 'rate_limited'
  /** A duplicate or stale message, or a delivery that no longer exists: nothing to do. */
  | 'skipped'
  /** The endpoint is disabled or deleted: the delivery failed without a POST. */
  | 'endpoint_unavailable';

/** What is kept of a receiver's answer. */
export const responseBodyLimit = 4096;
const userAgent = 'Plinth-Webhooks/1';
const system = { type: 'system', id: 'webhooks' };

export async function deliverMessage(message: DeliveryMessage, deps: DeliverDeps): Promise<DeliverResult> {
  const clock = deps.clock ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const { store } = deps;

  const current = await store.getDelivery(message.tenantId, message.endpointId, message.deliveryId);
  if (!current || current.status !== 'pending' || current.attempts !== message.attempt - 1) return 'skipped';

  const endpoint = await deps.endpoints.getEndpoint(message.tenantId, message.endpointId);
  if (!endpoint || !endpoint.enabled) {
    const reason = endpoint ? 'The endpoint is disabled.' : 'The endpoint was deleted.';
    return (await store.failWithoutAttempt(current, reason)) ? 'endpoint_unavailable' : 'skipped';
  }

  if (!(await deps.rateLimiter.tryAcquire(endpoint))) {
    await deps.queue.enqueue(message, rateLimitedDelaySeconds(random), clock());
    return 'rate_limited';
  }

  // Opened before the claim, so a key problem leaves the attempt unclaimed for the queue to retry.
  const secrets = openSigningSecrets(endpoint, deps.secretBox, clock());
  const delivery = await store.claimAttempt(message);
  if (!delivery) return 'skipped';

  const startedAt = clock();
  const result = await postWebhook({
    url: endpoint.url,
    body: delivery.payload,
    headers: {
      ...signatureHeaders({
        id: webhookIdOf(delivery.deliveryId),
        timestamp: Math.floor(startedAt.getTime() / 1000),
        body: delivery.payload,
        secrets,
      }),
    },
    timeoutMs: deps.webhooks.timeoutSeconds * 1000,
    guard: deps.guard,
  });

  const finishedAt = clock();
  const verdict = verdictOf(result.outcome);
  const error = errorOf(result.outcome);
  const delay =
    verdict === 'retry'
      ? delayBeforeAttempt(deps.webhooks.retryScheduleSeconds, delivery.attempts + 1, {
          retryAfter:
            result.outcome.kind === 'response'
              ? retryAfterSeconds(result.outcome.retryAfter, finishedAt)
              : undefined,
          random,
        })
      : undefined;
  const next: AttemptRecord['next'] =
    verdict === 'succeeded'
      ? { status: 'succeeded' }
      : delay === undefined
        ? { status: 'failed', error }
        : {
            status: 'pending',
            error,
            nextAttemptAt: new Date(finishedAt.getTime() + delay * 1000).toISOString(),
          };

  await store.recordAttempt(delivery, {
    attempt: {
      at: startedAt.toISOString(),
      ...(result.outcome.kind === 'response' ? { statusCode: result.outcome.statusCode } : { error }),
      durationMs: result.durationMs,
      responseBody: result.responseBody,
    },
    next,
  });

  if (next.status === 'succeeded') await clearFailing(endpoint, deps);
  else await markFailing(endpoint, finishedAt, deps);

  const nextMessage = { ...message, attempt: delivery.attempts + 1 };
  if (next.status === 'pending') await deps.queue.enqueue(nextMessage, delay ?? 0, finishedAt);
  return next.status === 'pending' ? 'retrying' : next.status;
}

function errorOf(outcome: AttemptOutcome): string {
  return outcome.kind === 'response' ? `The endpoint answered ${outcome.statusCode}.` : outcome.error;
}

/** A success ends the endpoint's failing streak. */
async function clearFailing(endpoint: EndpointItem, deps: DeliverDeps): Promise<void> {
  if (endpoint.failingSince !== undefined) await deps.endpoints.endFailingStreak(endpoint);
}

/**
 * A failure starts the streak, or, once the streak is older than `disableAfterDays`, disables the
 * endpoint (with an endpoint.disabled event).
 */
async function markFailing(endpoint: EndpointItem, now: Date, deps: DeliverDeps): Promise<void> {
  const since = endpoint.failingSince;
  if (since === undefined) {
    await deps.endpoints.startFailingStreak(endpoint, now);
    return;
  }
  if (now.getTime() - Date.parse(since) < deps.webhooks.disableAfterDays * 86_400_000) return;
  await deps.endpoints.disableFailingEndpoint(endpoint, since, now, system);
}

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  guard: UrlGuardPolicy;
}

export interface PostResult {
  outcome: AttemptOutcome;
  durationMs: number;
  responseBody: string;
}

/**
 * POSTs one attempt. Connections go through the SSRF guard's lookup, redirects are not followed, and
 * no more than the first 4 KB of the answer is read. Never throws: every failure is an outcome.
 */
export function postWebhook(request: PostRequest): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = parseEndpointUrl(request.url, request.guard);
    } catch (error) {
      resolve({ outcome: { kind: 'no_response', error: messageOf(error) }, durationMs: 0, responseBody: '' });
      return;
    }
    let settled = false;
    const finish = (outcome: AttemptOutcome, responseBody = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ outcome, durationMs: elapsed(), responseBody });
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(request.guard),
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': userAgent,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const outcome: AttemptOutcome = {
          kind: 'response',
          statusCode: res.statusCode ?? 0,
          retryAfter: headerValue(res.headers['retry-after']),
        };
        const done = () =>
          finish(outcome, Buffer.concat(chunks).subarray(0, responseBodyLimit).toString('utf8'));
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= responseBodyLimit) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'no_response', error: `No answer within ${request.timeoutMs / 1000} s.` });
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (error) => finish({ kind: 'no_response', error: messageOf(error) }));
    req.end(request.body);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
