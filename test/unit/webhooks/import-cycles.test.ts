// The webhooks context's wiring: context.ts only describes what routes are given, so no logic module
// and the context import each other in a circle; and the delivery engine's logic reaches the table
// only through the stores.
import { readFileSync } from 'node:fs';
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

/** Every module a source file imports, by the specifier it names (types included). */
function specifiersOf(path: string): string[] {
  const source = readFileSync(new URL(path, new URL('../../../', import.meta.url)), 'utf8');
  return [...source.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
}

const touchesTable = (specifier: string) =>
  specifier === 'electrodb' || /(^|\/|-)entities\.ts$/.test(specifier);

describe('delivery engine imports', () => {
  it('see an entity import when there is one', () => {
    expect(
      ['electrodb', './entities.ts', './delivery-entities.ts', '../../libs/data/entities.ts'].map(
        touchesTable,
      ),
    ).toEqual([true, true, true, true]);
    expect(['./store.ts', './delivery-store.ts', '../../libs/data/outbox.ts'].map(touchesTable)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it.each(['fanout', 'deliver', 'recover', 'sweep'])(
    'functions/webhooks/%s.ts imports neither ElectroDB nor any entities, only the stores',
    (name) => {
      expect(specifiersOf(`functions/webhooks/${name}.ts`).filter(touchesTable)).toEqual([]);
    },
  );
});
