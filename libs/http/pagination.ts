// Turning a store's page into `{items, nextCursor}` and a caller's cursor back into a store position.
// Cursors are signed and bound to the caller and a list (e.g. `tenant:<id>:users`), so a cursor
// cannot be replayed against another list, another tenant or by another principal of the tenant.
import type { CallerContext } from '../auth/caller.ts';
import type { Page } from '../data/outbox.ts';
import { principalOf } from './access.ts';
import type { CursorCodec } from './cursor.ts';
import { Problem } from './problem.ts';

/** The NUL keeps principal and list apart: neither ever contains it. */
const scopeOf = (caller: CallerContext, list: string) => `${principalOf(caller)}\0${list}`;

/** A page of resources with a signed cursor bound to `caller` and `list`. */
export function pageBody<T, R>(
  cursors: CursorCodec,
  caller: CallerContext,
  list: string,
  page: Page<T>,
  present: (item: T) => R,
) {
  return {
    items: page.items.map(present),
    ...(page.position ? { nextCursor: cursors.encode(scopeOf(caller, list), page.position) } : {}),
  };
}

/** The stored position inside a cursor the caller sent back, checked against `caller` and `list`. */
export function positionOf(
  cursors: CursorCodec,
  caller: CallerContext,
  list: string,
  cursor: string | undefined,
): string | undefined {
  if (cursor === undefined) return undefined;
  const position = cursors.decode(scopeOf(caller, list), cursor);
  if (typeof position !== 'string')
    throw new Problem(400, 'invalid_cursor', 'The cursor is not valid for this list.');
  return position;
}
