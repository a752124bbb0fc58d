// Bounded pages of a filtered query, over an in-memory "partition" read the way DynamoDB reads it:
// `limit` items evaluated per query, the filter applied after, a cursor after the last one evaluated.
import { describe, expect, it } from 'vitest';
import { readFilteredPage, type ReadOnce } from '../../../libs/data/filtered-page.ts';

function partition(matches: (n: number) => boolean, size: number) {
  const reads: number[] = [];
  const read: ReadOnce<number> = ({ limit, cursor }) => {
    const start = cursor === null ? 0 : Number(cursor) + 1;
    const evaluated = Array.from({ length: Math.min(limit, size - start) }, (_, i) => start + i);
    reads.push(evaluated.length);
    const last = evaluated.at(-1);
    const more = last !== undefined && last < size - 1;
    return Promise.resolve({ data: evaluated.filter(matches), cursor: more ? String(last) : null });
  };
  return { read, reads, cursorAfter: (n: number) => String(n) };
}

describe('a filtered page', () => {
  it('stops after maxReads queries with a position, even with nothing found', async () => {
    const { read, reads, cursorAfter } = partition((n) => n === 999, 1000);

    const page = await readFilteredPage(read, cursorAfter, { limit: 10 }, { maxReads: 3, readSize: 50 });

    expect(page).toEqual({ items: [], position: '149' });
    expect(reads).toEqual([50, 50, 50]);
  });

  it('a query matching more than the page holds ends the page at its last item, so none is skipped', async () => {
    const { read, cursorAfter } = partition(() => true, 100);

    const first = await readFilteredPage(read, cursorAfter, { limit: 3 }, { readSize: 50 });
    const second = await readFilteredPage(read, cursorAfter, { limit: 3, position: first.position! });

    expect(first).toEqual({ items: [0, 1, 2], position: '2' });
    expect(second.items).toEqual([3, 4, 5]);
  });

  it('has no position once the partition is read to its end', async () => {
    const { read, cursorAfter } = partition((n) => n % 2 === 0, 10);

    expect(await readFilteredPage(read, cursorAfter, { limit: 25 })).toEqual({
      items: [0, 2, 4, 6, 8],
      position: null,
    });
  });
});
