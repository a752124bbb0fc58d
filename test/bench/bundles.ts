// Bundle size and cold-start module import time of every function, next to an empty handler
// bundled and imported the same way in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BundledHandlers } from '../../infra/bundle.ts';
import { authorizer, contexts } from '../../functions/manifests.ts';
import { deriveTopology } from '../../infra/topology.ts';
import { functionEnv } from '../support/function-env.ts';

export interface BundleFigure {
  name: string;
  bytes: number;
  /** Median of several fresh Node processes importing the bundle, in ms. */
  importMs: number;
}

const importRuns = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function importTime(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const runs: number[] = [];
  for (let i = 0; i < importRuns; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...functionEnv(), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`importing ${file} failed:\n${child.stderr}`);
    runs.push(Number(child.stdout));
  }
  return median(runs);
}

export function measureBundles(rootDir: string): BundleFigure[] {
  // Inside the repository, so the bundles resolve the AWS SDK that the Lambda runtime would provide.
  const outDir = join(rootDir, '.build', 'bench');
  try {
    const entries = [
      { name: 'empty-handler', entry: 'test/bench/empty-handler.ts' },
      ...deriveTopology(contexts, authorizer).bundles,
    ];
    BundledHandlers.build(entries, { rootDir, outDir });
    return entries.map(({ name }) => {
      const dir = join(outDir, name);
      const file = join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.mjs'))!,
      );
      return { name, bytes: statSync(file).size, importMs: importTime(file) };
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
