// A key that can rotate: the current key, and the previous one still accepted for a grace period,
// so cursors and sealed values made before a rotation stay valid until the grace ends. Kept in one
// Secrets Manager secret as JSON; a bare key is a set of one.
import * as z from 'zod';

export const minKeyLength = 32;

export interface KeySet {
  /** Signs and seals everything new (from `currentFrom` on); always accepted. */
  readonly current: string;
  /**
   * Until then new values still use `previous`: every container reads the new set before any of
   * them needs `current` to open what another made.
   * @default now: `current` is used at once
   */
  readonly currentFrom?: Date;
  /** The key `current` replaced; accepted, never used for anything new once `currentFrom` is past. */
  readonly previous?: string;
  /**
   * The end of the grace period: from then on, what `previous` made is refused.
   * @default accepted until it is removed from the set
   */
  readonly previousUntil?: Date;
}

const key = z.string().min(minKeyLength, `a key must be at least ${minKeyLength} characters`);

const storedKeySet = z
  .object({
    current: key,
    currentFrom: z.iso.datetime({ offset: true }).optional(),
    previous: key.optional(),
    previousUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((set) => set.previous !== undefined || set.previousUntil === undefined, {
    message: 'previousUntil needs a previous key',
    path: ['previousUntil'],
  });

/**
 * A stored key set: JSON `{"current", "currentFrom"?, "previous"?, "previousUntil"?}`, or a bare key
 * (a set of one). Throws with what is wrong, never with the keys themselves.
 */
export function parseKeySet(raw: string): KeySet {
  const value = raw.trimStart().startsWith('{') ? parseJson(raw) : { current: raw };
  const parsed = storedKeySet.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`);
    throw new Error(`not a key set (${issues.join('; ')})`);
  }
  const set = parsed.data;
  return {
    current: set.current,
    ...(set.currentFrom !== undefined ? { currentFrom: new Date(set.currentFrom) } : {}),
    ...(set.previous !== undefined ? { previous: set.previous } : {}),
    ...(set.previousUntil !== undefined ? { previousUntil: new Date(set.previousUntil) } : {}),
  };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new Error('not a key set (value: neither JSON nor a bare key)');
  }
}

function previousAccepted(set: KeySet, now: Date): set is KeySet & { previous: string } {
  return set.previous !== undefined && (set.previousUntil === undefined || now < set.previousUntil);
}

/** The key anything new is signed or sealed with at `now`. */
export function signingKey(set: KeySet, now: Date): string {
  const currentPending = set.currentFrom !== undefined && now < set.currentFrom;
  return currentPending && previousAccepted(set, now) ? set.previous : set.current;
}

/** The keys a value may have been made with at `now`: the current key first. */
export function acceptedKeys(set: KeySet, now: Date): string[] {
  return previousAccepted(set, now) ? [set.current, set.previous] : [set.current];
}

/** A key set as code is given it: a bare key, a set, or a getter that always answers the latest set. */
export type KeySource = string | KeySet | (() => KeySet);

export function keySetOf(source: KeySource): () => KeySet {
  if (typeof source === 'function') return source;
  const set = typeof source === 'string' ? parseKeySet(source) : source;
  return () => set;
}
