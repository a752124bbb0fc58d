// SAML responses from a real (samlify) identity provider, verified by Plinth with node-saml: a good
// response gives the mapped profile, and each bad input named by the SSO issue is refused with its
// own code: unsigned, signed by another key, another audience or issuer, expired, replayed, an
// InResponseTo that is not this sign-in's, unsolicited when IdP-initiated is off, signature wrapping.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  verifySamlResponse,
  type AssertionLedger,
  type SamlConnectionSettings,
  type SamlRefusal,
} from '../../../functions/sso/saml.ts';
import {
  createLocalSamlIdp,
  newSamlIdpKeys,
  type LocalSamlIdp,
  type LoginResponseOptions,
  type SamlIdpKeys,
} from '../../../infra/local/idps/saml-idp.ts';

const sp = {
  entityId: 'urn:plinth:sso:con_01TEST',
  acsUrl: 'http://127.0.0.1:4000/v1/sso/saml/con_01TEST/acs',
};
const user = { email: 'ada@acme.test', name: 'Ada Lovelace', groups: ['engineering', 'admins'] };
let idp: LocalSamlIdp;
let otherKeys: SamlIdpKeys;
let settings: SamlConnectionSettings;

beforeAll(async () => {
  const keys = await newSamlIdpKeys();
  otherKeys = await newSamlIdpKeys('someone-else');
  idp = createLocalSamlIdp({
    entityId: 'http://127.0.0.1:4100/saml',
    ssoUrl: 'http://127.0.0.1:4100/saml/sso',
    keys,
  });
  settings = {
    idpEntityId: idp.entityId,
    idpCertificates: [idp.certificatePem],
    spEntityId: sp.entityId,
    acsUrl: sp.acsUrl,
    allowIdpInitiated: false,
  };
});

function memoryLedger(): AssertionLedger {
  const seen = new Set<string>();
  return {
    remember: (id) => {
      if (seen.has(id)) return Promise.resolve(false);
      seen.add(id);
      return Promise.resolve(true);
    },
  };
}

const respond = (options: Partial<LoginResponseOptions> = {}) =>
  idp.loginResponse({ sp, user, inResponseTo: '_req_1', ...options });

async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as SamlRefusal).code, message: (error as Error).message };
  }
  throw new Error('the response was accepted');
}

const verify = (
  response: string,
  options: { expectedRequestId?: string; ledger?: AssertionLedger } = {},
  with_ = settings,
) =>
  verifySamlResponse(with_, response, {
    expectedRequestId: 'expectedRequestId' in options ? options.expectedRequestId : '_req_1',
    ledger: options.ledger ?? memoryLedger(),
  });

const xmlOf = (response: string) => Buffer.from(response, 'base64').toString('utf8');
const base64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

describe('a good response', () => {
  it('gives the NameID, attributes, session index and authentication context', async () => {
    const profile = await verify(await respond());
    expect(profile).toMatchObject({
      nameId: 'ada@acme.test',
      email: 'ada@acme.test',
      attributes: { email: ['ada@acme.test'], name: ['Ada Lovelace'], groups: ['engineering', 'admins'] },
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    });
    expect(profile.sessionIndex).toMatch(/^_/);
    expect(profile.assertionId).toMatch(/^_/);
  });

  it('verifies with any of the connection certificates, as during a certificate rollover', async () => {
    const rolled = {
      ...settings,
      idpCertificates: [(await newSamlIdpKeys()).certificatePem, idp.certificatePem],
    };
    await expect(verify(await respond(), {}, rolled)).resolves.toMatchObject({ nameId: 'ada@acme.test' });
  });
});

describe('bad responses', () => {
  it('refuses an unsigned assertion', async () => {
    expect((await refusalOf(verify(await respond({ signAssertion: false })))).code).toBe('invalid_signature');
  });

  it('refuses a response signed by another key', async () => {
    expect((await refusalOf(verify(await respond({ signWith: otherKeys })))).code).toBe('invalid_signature');
  });

  it('refuses a NameID changed after signing', async () => {
    const tampered = base64(
      xmlOf(await respond()).replace('>ada@acme.test</saml:NameID>', '>eve@acme.test</saml:NameID>'),
    );
    expect((await refusalOf(verify(tampered))).code).toBe('invalid_signature');
  });

  it('refuses an assertion for another audience', async () => {
    expect((await refusalOf(verify(await respond({ audience: 'urn:plinth:sso:con_OTHER' })))).code).toBe(
      'wrong_audience',
    );
  });

  it('refuses an assertion from another issuer', async () => {
    expect((await refusalOf(verify(await respond({ issuer: 'http://evil.example/saml' })))).code).toBe(
      'wrong_issuer',
    );
  });

  it('refuses an expired assertion', async () => {
    const response = await respond({
      issuedAt: new Date(Date.now() - 20 * 60 * 1000),
      validForMs: 5 * 60 * 1000,
    });
    expect((await refusalOf(verify(response))).code).toBe('expired');
  });

  it('refuses an assertion that is not valid yet', async () => {
    const response = await respond({ issuedAt: new Date(Date.now() + 10 * 60 * 1000) });
    expect((await refusalOf(verify(response))).code).toBe('not_yet_valid');
  });

  it('refuses the same assertion twice', async () => {
    const ledger = memoryLedger();
    const response = await respond();
    await verify(response, { ledger });
    expect((await refusalOf(verify(response, { ledger }))).code).toBe('replayed');
  });

  it("refuses a response to another sign-in's request", async () => {
    expect((await refusalOf(verify(await respond({ inResponseTo: '_req_other' })))).code).toBe(
      'in_response_to_mismatch',
    );
  });

  it('refuses an unsolicited response where a request was sent', async () => {
    expect((await refusalOf(verify(await respond({ inResponseTo: undefined })))).code).toBe(
      'in_response_to_mismatch',
    );
  });

  it('refuses an IdP error status', async () => {
    const response = await respond({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
    expect((await refusalOf(verify(response))).code).toBe('idp_error');
  });

  it('refuses XML signature wrapping: a forged assertion placed before the signed one', async () => {
    const xml = xmlOf(await respond());
    const start = xml.indexOf('<saml:Assertion');
    const end = xml.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
    const signed = xml.slice(start, end);
    const forged = signed
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
      .replace(/ ID="[^"]+"/, ' ID="_forged"')
      .replaceAll('ada@acme.test', 'eve@acme.test');
    const wrapped = `${xml.slice(0, start)}${forged}${signed}${xml.slice(end)}`;
    const refusal = await refusalOf(verify(base64(wrapped)));
    expect(['invalid_signature', 'malformed']).toContain(refusal.code);
  });

  it('refuses what is not a SAML response', async () => {
    // Nothing signed by the IdP is in either, so both are refused before any of it is read.
    expect((await refusalOf(verify(base64('<html>hello</html>')))).code).toBe('invalid_signature');
    expect(['malformed', 'invalid_signature']).toContain(
      (await refusalOf(verify('not base64 at all %%%'))).code,
    );
  });
});

describe('IdP-initiated sign-in', () => {
  const unsolicited = { expectedRequestId: undefined } as const;

  it('is refused while the connection has it off', async () => {
    const response = await respond({ inResponseTo: undefined });
    expect((await refusalOf(verify(response, unsolicited))).code).toBe('unsolicited');
  });

  it('is accepted once when on, and never again', async () => {
    const on = { ...settings, allowIdpInitiated: true };
    const ledger = memoryLedger();
    const response = await respond({ inResponseTo: undefined });
    await expect(verify(response, { ...unsolicited, ledger }, on)).resolves.toMatchObject({
      nameId: 'ada@acme.test',
    });
    expect((await refusalOf(verify(response, { ...unsolicited, ledger }, on))).code).toBe('replayed');
  });

  it('is refused when older than six minutes, even inside its validity window', async () => {
    const on = { ...settings, allowIdpInitiated: true };
    const response = await respond({
      inResponseTo: undefined,
      issuedAt: new Date(Date.now() - 8 * 60 * 1000),
      validForMs: 30 * 60 * 1000,
    });
    expect((await refusalOf(verify(response, unsolicited, on))).code).toBe('expired');
  });

  it('refuses a response that names a request Plinth did not send', async () => {
    const on = { ...settings, allowIdpInitiated: true };
    expect((await refusalOf(verify(await respond({ inResponseTo: '_made_up' }), unsolicited, on))).code).toBe(
      'in_response_to_mismatch',
    );
  });
});
