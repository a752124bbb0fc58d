import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecrets } from '../../../infra/local/data-dir.ts';
import { deploymentKeyNames } from '../../../libs/config/keys.ts';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-secrets-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the secrets a data dir keeps for the function environment', () => {
  it('generates every deployment key once, each its own, then gives the same ones back', () => {
    const dir = dataDir();
    const first = loadSecrets(dir).secrets;
    const again = loadSecrets(dir).secrets;

    expect(Object.keys(first.keys).sort()).toEqual([...deploymentKeyNames].sort());
    for (const key of Object.values(first.keys)) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(first.keys)).size).toBe(deploymentKeyNames.length);
    expect(again).toEqual(first);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('keeps the keys of a data dir from before the key catalog, and adds the new ones', () => {
    const dir = dataDir();
    const admin = { id: 'key_1', secret: 'pk_1' };
    writeFileSync(
      join(dir, 'secrets.json'),
      JSON.stringify({ cursorSecret: 'c'.repeat(64), webhookSecretKey: 'w'.repeat(64), admin }),
    );

    const { secrets } = loadSecrets(dir);

    expect(secrets).toMatchObject({ keys: { cursor: 'c'.repeat(64), webhookSecret: 'w'.repeat(64) }, admin });
    expect(secrets.keys.mail).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toMatchObject({ keys: secrets.keys });
  });
});
