// The local SAML IdP over real HTTP, driven by node-saml as Plinth's side: its metadata makes a
// connection, an SP-initiated AuthnRequest leads to its sign-in page, and the response it posts back
// verifies against the request's ID; IdP-initiated sign-in answers no request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML } from '@node-saml/node-saml';
import { parseIdpMetadata } from '../../../functions/sso/saml-metadata.ts';
import { verifySamlResponse, type SamlConnectionSettings } from '../../../functions/sso/saml.ts';
import {
  readAuthnRequest,
  startLocalSamlServer,
  type LocalSamlServer,
} from '../../../infra/local/idps/saml-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'plinth-saml-idp-'));
const stateFile = join(dir, 'saml-idp.json');
const sp = {
  entityId: 'urn:plinth:sso:con_01LOCAL',
  acsUrl: 'http://127.0.0.1:4000/v1/sso/saml/con_01LOCAL/acs',
};
let idp: LocalSamlServer;
let settings: SamlConnectionSettings;

beforeAll(async () => {
  idp = await startLocalSamlServer({ stateFile });
  const metadata = parseIdpMetadata(await (await fetch(idp.metadataUrl)).text());
  settings = {
    idpEntityId: metadata.entityId,
    idpCertificates: metadata.certificates.map((c) => c.pem),
    spEntityId: sp.entityId,
    acsUrl: sp.acsUrl,
    allowIdpInitiated: true,
  };
});

afterAll(async () => {
  await idp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ledger = () => {
  const seen = new Set<string>();
  return { remember: (id: string) => Promise.resolve(!seen.has(id) && Boolean(seen.add(id))) };
};

/** Signs in on the IdP's page and reads the auto-posted form's fields. */
async function signInAt(page: Response, email: string, password: string): Promise<Record<string, string>> {
  expect(page.status).toBe(200);
  const pending = /name="pending" value="([^"]+)"/.exec(await page.text())![1]!;
  const posted = await fetch(`${idp.url}/saml/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pending, email, password }).toString(),
  });
  const body = await posted.text();
  expect(posted.status, body).toBe(200);
  expect(body).toContain(`action="${sp.acsUrl}"`);
  return Object.fromEntries([...body.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('the local SAML IdP', () => {
  it('signs a test user in for an SP-initiated request, and the response verifies against that request', async () => {
    const saml = new SAML({
      callbackUrl: sp.acsUrl,
      issuer: sp.entityId,
      entryPoint: idp.ssoUrl,
      idpCert: settings.idpCertificates as string[],
    });
    const authorizeUrl = await saml.getAuthorizeUrlAsync('relay-123', undefined, {});
    const request = readAuthnRequest(new URL(authorizeUrl).searchParams.get('SAMLRequest')!);
    const fields = await signInAt(await fetch(authorizeUrl), 'ada@acme.test', 'Saml-Test-1');
    expect(fields.RelayState).toBe('relay-123');

    const profile = await verifySamlResponse(settings, fields.SAMLResponse!, {
      expectedRequestId: request.id,
      ledger: ledger(),
    });
    expect(profile).toMatchObject({
      nameId: 'ada@acme.test',
      attributes: { groups: ['engineering', 'admins'] },
    });
  });

  it('refuses a wrong password on its page', async () => {
    const url = `${idp.url}/saml/start?sp=${encodeURIComponent(sp.entityId)}&acs=${encodeURIComponent(sp.acsUrl)}`;
    const page = await fetch(url);
    const pending = /name="pending" value="([^"]+)"/.exec(await page.text())![1]!;
    const wrong = await fetch(`${idp.url}/saml/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pending, email: 'ada@acme.test', password: 'wrong' }).toString(),
    });
    expect(wrong.status).toBe(401);
  });

  it('starts an IdP-initiated sign-in whose response answers no request', async () => {
    const url = `${idp.url}/saml/start?sp=${encodeURIComponent(sp.entityId)}&acs=${encodeURIComponent(sp.acsUrl)}`;
    const fields = await signInAt(await fetch(url), 'bob@acme.test', 'Saml-Test-1');
    const profile = await verifySamlResponse(settings, fields.SAMLResponse!, { ledger: ledger() });
    expect(profile.nameId).toBe('bob@acme.test');
  });

  it('keeps its signing key across restarts, so connections made from its metadata stay valid', async () => {
    const again = await startLocalSamlServer({ stateFile });
    try {
      expect(again.certificatePem).toBe(idp.certificatePem);
    } finally {
      await again.stop();
    }
  });
});
