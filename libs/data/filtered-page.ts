// A page of a filtered query with a bound on the work behind it. ElectroDB's `count` reads on until
// the page is full, so a filter that matches little reads a whole partition inside one request; this
// reads at most `maxReads` queries and answers a short (even empty) page with a position to go on.
import type { Page, PageRequest } from './outbox.ts';

export interface FilteredPageBounds {
  /** Queries one page may make. @default 5 */
  maxReads?: number;
  /** Items each query evaluates (DynamoDB's `Limit`, counted before the filter). @default 100 */
  readSize?: number;
}

/** One query from `cursor` evaluating at most `limit` items (ElectroDB's `.go({ limit, cursor })`). */
export type ReadOnce<T> = (request: {
  limit: number;
  cursor: string | null;
}) => Promise<{ data: T[]; cursor: string | null }>;

export const defaultFilteredPageBounds: Required<FilteredPageBounds> = { maxReads: 5, readSize: 100 };

/**
 * Up to `page.limit` matching items, reading no more than `maxReads × readSize` items. The position
 * is null only when the query has nothing after the items returned; a page cut short by the bound
 * has a position, so the caller's `nextCursor` says there may be more.
 *
 * @param cursorAfter the position just after an item (the entity's `conversions...toCursor`), used
 *   when one query matched more items than the page has room for.
 */
export async function readFilteredPage<T>(
  read: ReadOnce<T>,
  cursorAfter: (item: T) => string,
  page: PageRequest,
  bounds: FilteredPageBounds = {},
): Promise<Page<T>> {
  const { maxReads, readSize } = { ...defaultFilteredPageBounds, ...bounds };
  const items: T[] = [];
  let cursor = page.position ?? null;
  for (let reads = 0; reads < maxReads; reads++) {
    const result = await read({ limit: Math.max(readSize, page.limit), cursor });
    const room = page.limit - items.length;
    if (result.data.length > room) {
      items.push(...result.data.slice(0, room));
      return { items, position: cursorAfter(items[items.length - 1]!) };
    }
    items.push(...result.data);
    cursor = result.cursor;
    if (!cursor || items.length === page.limit) return { items, position: cursor };
  }
  return { items, position: cursor };
}
