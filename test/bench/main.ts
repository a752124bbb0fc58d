// `npm run bench`: prints figures; nothing here passes or fails on a timing.
import { fileURLToPath } from 'node:url';
import { measureBundles } from './bundles.ts';
import { measureTenantReadLatency } from './latency.ts';
import { printSsoSignInFigures } from './sso.ts';
import { printWebhookFigures } from './webhooks.ts';
import { printWriteCeilings } from './write-ceilings.ts';
import deployment from '../../infra/plinth.config.ts';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const budgetKb = { authorizer: 100, default: 500 };

console.log('Function bundles (minified ESM, one esbuild run), import time = median of 7 fresh processes\n');
const bundles = measureBundles(rootDir);
const baseline = bundles.find((b) => b.name === 'empty-handler')!;
console.log(
  'bundle'.padEnd(16),
  'size KB'.padStart(9),
  'budget KB'.padStart(10),
  'import ms'.padStart(10),
  'vs empty'.padStart(10),
);
for (const b of bundles) {
  const budget =
    b.name === 'empty-handler'
      ? ''
      : String(b.name === 'authorizer' ? budgetKb.authorizer : budgetKb.default);
  const over = budget !== '' && b.bytes / 1024 > Number(budget) ? ' over budget' : '';
  console.log(
    b.name.padEnd(16),
    (b.bytes / 1024).toFixed(1).padStart(9),
    budget.padStart(10),
    b.importMs.toFixed(1).padStart(10),
    `+${(b.importMs - baseline.importMs).toFixed(1)}`.padStart(10) + over,
  );
}

console.log(
  '\nLocal API: GET /v1/tenant with a tenant API key (authorizer + route), after 50 warm-up calls\n',
);
const latency = await measureTenantReadLatency(2000, 16);
console.log(`requests ${latency.requests}, concurrency ${latency.concurrency}, non-200 ${latency.failures}`);
console.log(
  `p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms, ${latency.perSecond.toFixed(0)} req/s`,
);

await printWebhookFigures();

await printSsoSignInFigures();

printWriteCeilings(Math.max(...Object.values(deployment.plans).map((p) => p.limits.requestsPerSecond)));
