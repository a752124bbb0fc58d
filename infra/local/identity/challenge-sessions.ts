// The sessions of pending sign-in challenges: opaque random ids, kept in memory for three minutes
// (Cognito's default AuthSessionValidity, the one Plinth's app clients have), as Cognito's are.
import { randomBytes } from 'node:crypto';

const sessionMs = 3 * 60 * 1000;

export interface SessionStore<T> {
  /** Keeps `value` under a new session id and returns the id. */
  open(value: T): string;
  /** The value of an unexpired session. */
  get(id: string | undefined): T | undefined;
  delete(id: string): void;
}

export function createSessionStore<T>(now: () => number): SessionStore<T> {
  const sessions = new Map<string, { value: T; expiresAt: number }>();
  return {
    open(value) {
      const at = now();
      for (const [id, session] of sessions) if (session.expiresAt <= at) sessions.delete(id);
      const id = randomBytes(96).toString('base64url');
      sessions.set(id, { value, expiresAt: at + sessionMs });
      return id;
    },
    get(id) {
      const session = id === undefined ? undefined : sessions.get(id);
      return session && session.expiresAt > now() ? session.value : undefined;
    },
    delete: (id) => void sessions.delete(id),
  };
}
