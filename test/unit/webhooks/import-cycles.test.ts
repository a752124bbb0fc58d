// The webhooks context's wiring: context.ts only describes what routes are given, so no logic module
// and the context import each other in a circle.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from '../../support/import-graph.ts';

const rootDir = fileURLToPath(new URL('../../..', import.meta.url));

describe('webhooks imports', () => {
  it('find a circle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('have no circle through the context or the destinations', () => {
    const graph = importGraph(rootDir, ['functions', 'libs', 'events']);
    expect(graph.get('functions/webhooks/context.ts')).toContain('functions/webhooks/destinations.ts');
    const touching = importCycles(graph).filter((cycle) =>
      cycle.some((m) => m === 'functions/webhooks/context.ts' || m === 'functions/webhooks/destinations.ts'),
    );
    expect(touching).toEqual([]);
  });
});
