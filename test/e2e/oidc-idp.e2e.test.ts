// The local runtime's OpenID Connect provider as a developer and an e2e test reach it: named in
// local.json with its test client and users, signed in to with code + PKCE, gone when the runtime
// stops, and back after a restart on the same data dir with the same issuer and signing keys.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLocalPlinth } from '../../infra/local/runtime.ts';
import { idTokenVerifier, signInForTokens, type OidcProvider } from '../support/oidc-sign-in.ts';

type Runtime = Awaited<ReturnType<typeof startLocalPlinth>>;

const dataDir = mkdtempSync(join(tmpdir(), 'plinth-e2e-oidc-idp-'));
let runtime: Runtime | undefined;

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface OidcEntry {
  issuer: string;
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  users: Array<{ email: string; password: string; groups: string[] }>;
  oneTimeCode: string;
}

const oidcEntry = () =>
  (JSON.parse(readFileSync(join(dataDir, 'local.json'), 'utf8')) as { oidcIdp: OidcEntry }).oidcIdp;

const providerOf = (entry: OidcEntry): OidcProvider => ({
  issuer: entry.issuer,
  jwksUrl: `${entry.issuer}/jwks`,
  client: { clientId: entry.clientId, clientSecret: entry.clientSecret },
});

it('serves the provider named in local.json, stops it with the runtime and brings it back with the same issuer and keys', async () => {
  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  const entry = oidcEntry();
  expect(entry.issuer).toBe(runtime.oidcIdp.issuer);
  expect(entry.users.find((u) => u.email === 'ada@acme.test')?.groups).toEqual(['engineering', 'admins']);
  const redirectUri = `${runtime.apiUrl}/v1/sso/oidc/callback`;
  const ada = entry.users.find((u) => u.email === 'ada@acme.test')!;
  const { tokens } = await signInForTokens(providerOf(entry), redirectUri, {
    email: ada.email,
    password: ada.password,
    code: entry.oneTimeCode,
  });
  expect(tokens.claims()).toMatchObject({ email: 'ada@acme.test', amr: ['pwd', 'otp'] });
  const jwks: unknown = await (await fetch(providerOf(entry).jwksUrl)).json();

  await runtime.stop();
  runtime = undefined;
  await expect(fetch(entry.discoveryUrl)).rejects.toThrow();

  runtime = await startLocalPlinth({ port: 0, dataDir, quiet: true });
  const again = oidcEntry();
  expect(again.issuer).toBe(entry.issuer);
  expect(await (await fetch(providerOf(again).jwksUrl)).json()).toEqual(jwks);
  await expect((await idTokenVerifier(providerOf(again))).verify(tokens.id_token!)).resolves.toMatchObject({
    sub: 'usr-ada',
  });
});
