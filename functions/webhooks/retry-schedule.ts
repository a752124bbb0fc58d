// Which outcomes of an attempt are retried, and how long to wait before the next one: the deployment's
// schedule with ±20% jitter, never sooner than the receiver's Retry-After. Pure, so fully testable.

/** What came of one POST. */
export type AttemptOutcome =
  | { kind: 'response'; statusCode: number; retryAfter?: string | undefined }
  /** No usable answer: connection refused or reset, DNS, a refused address, or the timeout. */
  | { kind: 'no_response'; error: string };

export type Verdict = 'succeeded' | 'retry' | 'failed';

/** Statuses that say "try again later" rather than "this request is wrong". */
const retryableStatuses = new Set([408, 409, 425, 429]);

export function verdictOf(outcome: AttemptOutcome): Verdict {
  if (outcome.kind === 'no_response') return 'retry';
  const { statusCode } = outcome;
  if (statusCode >= 200 && statusCode < 300) return 'succeeded';
  if (retryableStatuses.has(statusCode) || (statusCode >= 500 && statusCode < 600)) return 'retry';
  return 'failed';
}

/** A receiver may ask for a long pause, but not for one longer than a day. */
export const maxRetryAfterSeconds = 86_400;

/** Retry-After as seconds from `now`: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function retryAfterSeconds(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  let seconds: number;
  if (/^\d+$/.test(value)) {
    seconds = Number(value);
  } else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  return Math.min(Math.max(0, seconds), maxRetryAfterSeconds);
}

/** How far a delay may move either way at random, so a burst of failures does not retry in lockstep. */
export const jitterShare = 0.2;

/**
 * Seconds to wait before attempt `attempt` (1-based): `schedule[attempt - 1]` moved by up to 20% either
 * way, at least `retryAfter`. Undefined when the schedule has no such attempt: the delivery has failed.
 */
export function delayBeforeAttempt(
  schedule: readonly number[],
  attempt: number,
  options: { retryAfter?: number | undefined; random?: () => number } = {},
): number | undefined {
  const base = schedule[attempt - 1];
  if (base === undefined || attempt < 1) return undefined;
  // Queues count delays in whole seconds: pick one of the whole seconds within the bounds, or a
  // 5 s delay would always round to the same one.
  const lowest = Math.ceil(base * (1 - jitterShare));
  const highest = Math.floor(base * (1 + jitterShare));
  const random = options.random ?? Math.random;
  const jittered = lowest + Math.floor(random() * (highest - lowest + 1));
  return Math.max(jittered, Math.ceil(options.retryAfter ?? 0));
}
