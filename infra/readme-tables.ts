// Keeps README's reference tables (routes with their permission, roles with theirs) in step with
// the declarations they describe. `npm run readme` rewrites them; a unit test fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contexts } from '../functions/manifests.ts';
import { builtInRoles } from '../libs/auth/roles.ts';
import { tenantPermissions } from '../libs/auth/permissions.ts';

export const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Every route, grouped by context in manifest order. */
export function routesTable(): string {
  const rows = contexts.flatMap((context) =>
    context.routes.map((route) => [
      `\`${route.method} ${route.path}\``,
      route.audience,
      `\`${route.permission}\``,
      route.mfaExempt ? 'yes' : '',
    ]),
  );
  return table(['route', 'audience', 'permission', 'open before MFA'], rows);
}

/** Which built-in role holds which tenant permission. */
export function rolesTable(): string {
  const roles = Object.values(builtInRoles);
  const rows = tenantPermissions.map((permission) => [
    `\`${permission}\``,
    ...roles.map((role) => (role.permissions.includes(permission) ? '✓' : '')),
  ]);
  return table(['permission', ...roles.map((r) => r.name)], rows);
}

const sections = { routes: routesTable, roles: rolesTable } as const;

/** README with each generated section (between its markers) rebuilt. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, build] of Object.entries(sections)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
    out = `${out.slice(0, from + start.length)}\n\n${build()}\n\n${out.slice(to)}`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(readmePath, renderReadme(readFileSync(readmePath, 'utf8')));
}
