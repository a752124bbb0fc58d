// Turning a store's page into `{items, nextCursor}` and a caller's cursor back into a store position.
// Cursors are signed and bound to a scope (e.g. `tenant:<id>:users`), so one list's cursor cannot
// be replayed against another list or another tenant.
import type { Page } from '../data/outbox.ts';
import type { CursorCodec } from './cursor.ts';
import { Problem } from './problem.ts';

/** A page of resources with a signed cursor bound to `scope`. */
export function pageBody<T, R>(cursors: CursorCodec, scope: string, page: Page<T>, present: (item: T) => R) {
  return {
    items: page.items.map(present),
    ...(page.position ? { nextCursor: cursors.encode(scope, page.position) } : {}),
  };
}

/** The stored position inside a cursor the caller sent back, checked against `scope`. */
export function positionOf(
  cursors: CursorCodec,
  scope: string,
  cursor: string | undefined,
): string | undefined {
  if (cursor === undefined) return undefined;
  const position = cursors.decode(scope, cursor);
  if (typeof position !== 'string')
    throw new Problem(400, 'invalid_cursor', 'The cursor is not valid for this list.');
  return position;
}
