// README's route and role tables are generated from the declarations; this fails when they drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmePath, renderReadme } from '../../infra/readme-tables.ts';

describe('README reference tables', () => {
  it('match the routes and roles as declared (run `npm run readme` after changing them)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(renderReadme(readme)).toBe(readme);
  });
});
