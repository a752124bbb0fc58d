import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecrets } from '../../../infra/local/data-dir.ts';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-secrets-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the secrets a data dir keeps for the function environment', () => {
  it('generates the cursor secret and the webhook secret key once, then gives the same ones back', () => {
    const dir = dataDir();
    const first = loadSecrets(dir).secrets;
    const again = loadSecrets(dir).secrets;

    expect(first.webhookSecretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.webhookSecretKey).not.toBe(first.cursorSecret);
    expect(again).toEqual(first);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('adds a webhook secret key to a data dir from before it existed, keeping what is there', () => {
    const dir = dataDir();
    const admin = { id: 'key_1', secret: 'pk_1' };
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ cursorSecret: 'c'.repeat(64), admin }));

    const { secrets } = loadSecrets(dir);

    expect(secrets).toMatchObject({ cursorSecret: 'c'.repeat(64), admin });
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toMatchObject({
      webhookSecretKey: secrets.webhookSecretKey,
    });
  });
});
