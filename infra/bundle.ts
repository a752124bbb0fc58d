// Bundles every handler entry in a single esbuild call (one process for all functions, where
// NodejsFunction would start one per function) into .build/<name>/index.mjs, and hands each
// function its directory as a Lambda asset. A missing entry or export fails synth, naming it.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { HandlerCode } from './constructs/service-function.ts';

export interface BundleEntry {
  /** Names the output directory and the asset, e.g. `tenants`. */
  readonly name: string;
  /** Entry module relative to the root directory, e.g. `functions/tenants/handler.ts`. */
  readonly entry: string;
}

export interface BundleOptions {
  /** Directory the entries are relative to: the repository root. */
  readonly rootDir: string;
  /** Emptied, then filled with one directory per entry. @default `<rootDir>/.build` */
  readonly outDir?: string;
}

// ESM output has no `require`; some bundled CommonJS dependencies still call it for Node built-ins.
const requireShim =
  "import { createRequire as __plinthCreateRequire } from 'node:module'; const require = __plinthCreateRequire(import.meta.url);";

export class BundledHandlers implements HandlerCode {
  /** Runs esbuild once for all entries. */
  static build(entries: readonly BundleEntry[], options: BundleOptions): BundledHandlers {
    const rootDir = path.resolve(options.rootDir);
    const outDir = path.resolve(options.outDir ?? path.join(rootDir, '.build'));
    const missing = entries.filter((e) => !existsSync(path.join(rootDir, e.entry)));
    if (missing.length > 0) {
      throw new Error(
        `cannot bundle handlers; entry modules not found: ${missing.map((e) => `${e.entry} (${e.name})`).join(', ')}`,
      );
    }

    rmSync(outDir, { recursive: true, force: true });
    const result = buildSync({
      absWorkingDir: rootDir,
      entryPoints: entries.map((e) => ({ in: e.entry, out: `${e.name}/index` })),
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      // The Lambda Node.js 22 runtime ships AWS SDK v3 (as NodejsFunction assumes too): leaving it out
      // more than halves every bundle and its cold-start parse time.
      external: ['@aws-sdk/*'],
      minify: true,
      sourcemap: true,
      // Stack traces need the mappings, not a second copy of every dependency's source.
      sourcesContent: false,
      banner: { js: requireShim },
      metafile: true,
      logLevel: 'warning',
    });

    const exports = new Map<string, ReadonlySet<string>>();
    const modules = new Map<string, ReadonlySet<string>>();
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      if (!output.entryPoint) continue;
      const name = path.basename(path.dirname(path.resolve(rootDir, file)));
      exports.set(name, new Set(output.exports));
      modules.set(name, new Set(Object.keys(output.inputs)));
    }
    return new BundledHandlers(outDir, exports, modules);
  }

  private constructor(
    readonly outDir: string,
    private readonly exportsByName: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly modulesByName: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** The modules bundled into `name`, relative to the root directory (e.g. `functions/jobs/run.ts`). */
  modulesOf(name: string): ReadonlySet<string> {
    const modules = this.modulesByName.get(name);
    if (!modules) throw new Error(`no bundle named "${name}"`);
    return modules;
  }

  codeFor(name: string, exportName: string): lambda.Code {
    const exports = this.exportsByName.get(name);
    if (!exports)
      throw new Error(`no bundle named "${name}"; bundled: ${[...this.exportsByName.keys()].join(', ')}`);
    if (!exports.has(exportName)) {
      throw new Error(
        `bundle "${name}" has no export "${exportName}"; it exports: ${[...exports].join(', ') || 'nothing'}`,
      );
    }
    return lambda.Code.fromAsset(path.join(this.outDir, name));
  }
}
