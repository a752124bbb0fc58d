// The bundler: one esbuild call for every entry, ESM for Node 22 with a require shim, and a
// loud failure for a missing entry or export.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { authorizer, contexts } from '../../functions/manifests.ts';
import { BundledHandlers } from '../../infra/bundle.ts';
import { deriveTopology } from '../../infra/topology.ts';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));
// Entries that exist from the start; the others are bundled the same way.
const entries = [
  { name: 'outbox', entry: 'functions/outbox/handler.ts' },
  { name: 'jobs', entry: 'functions/jobs/handler.ts' },
];
let outDir: string;
let bundled: BundledHandlers;

beforeAll(() => {
  outDir = mkdtempSync(path.join(tmpdir(), 'plinth-bundle-'));
  bundled = BundledHandlers.build(entries, { rootDir, outDir });
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test('writes one ESM bundle with a source map per entry, with require available to CommonJS dependencies', () => {
  for (const { name } of entries) {
    const code = readFileSync(path.join(outDir, name, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __plinthCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(code).toMatch(/export\s*\{/);
    expect(readFileSync(path.join(outDir, name, 'index.mjs.map'), 'utf8')).toContain('"mappings"');
  }
});

test('leaves AWS SDK v3 to the Lambda runtime instead of bundling a copy', () => {
  const code = readFileSync(path.join(outDir, 'outbox', 'index.mjs'), 'utf8');
  expect(code).toMatch(/from\s*"@aws-sdk\/client-eventbridge"/);
  expect(code).not.toContain('PutEventsCommand=class');
});

test('hands out the bundle directory as the code of a function whose export exists', () => {
  const code = bundled.codeFor('jobs', 'worker');
  expect(code).toBeInstanceOf(lambda.AssetCode);
  expect((code as lambda.AssetCode).path).toBe(path.join(outDir, 'jobs'));
  expect(() => bundled.codeFor('outbox', 'publish')).not.toThrow();
});

test('refuses an export the bundle does not have', () => {
  expect(() => bundled.codeFor('jobs', 'reportProgress')).toThrow(
    /bundle "jobs" has no export "reportProgress"; it exports: .*\bworker\b/,
  );
});

test('refuses a bundle that was not built', () => {
  expect(() => bundled.codeFor('tenants', 'api')).toThrow(/no bundle named "tenants"/);
});

test('fails before bundling when an entry module is missing, naming it', () => {
  const missing = [{ name: 'ghost', entry: 'functions/ghost/handler.ts' }];
  expect(() =>
    BundledHandlers.build([...entries, ...missing], { rootDir, outDir: path.join(outDir, 'unused') }),
  ).toThrow(/entry modules not found: functions\/ghost\/handler.ts \(ghost\)/);
});

describe('a context whose consumers have their own entry', () => {
  const webhooks = contexts.find((c) => c.name === 'webhooks')!;
  const topology = deriveTopology([webhooks], authorizer);
  let built: BundledHandlers;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-bundle-'));
    built = BundledHandlers.build(
      topology.bundles.filter((b) => b.name.startsWith('webhooks')),
      { rootDir, outDir: dir },
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('gives each function the bundle of its own entry', () => {
    const bundleOf = (exportName: string) =>
      topology.functions.find((f) => f.context === 'webhooks' && f.exportName === exportName)?.bundle;
    expect(bundleOf('api')).toBe('webhooks');
    for (const consumer of ['fanout', 'deliver', 'sweep'])
      expect(bundleOf(consumer)).toBe('webhooks-consumers');
  });

  test("keeps the queue consumers and what they load out of the API's bundle", () => {
    const api = built.modulesOf('webhooks');
    expect(api).toContain('functions/webhooks/handler.ts');
    for (const consumerModule of [
      'functions/webhooks/consumers.ts',
      'functions/webhooks/deliver.ts',
      'functions/webhooks/fanout.ts',
      'functions/webhooks/sweep.ts',
    ]) {
      expect(api).not.toContain(consumerModule);
    }
    expect(built.modulesOf('webhooks-consumers')).toContain('functions/webhooks/consumers.ts');
    expect(() => built.codeFor('webhooks', 'deliver')).toThrow(/has no export "deliver"/);
    expect(() => built.codeFor('webhooks-consumers', 'deliver')).not.toThrow();
  });
});
