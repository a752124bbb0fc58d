// IdP metadata as identity providers publish it: samlify's own, and a document shaped like Microsoft
// Entra ID's federation metadata (default namespace, WS-Federation RoleDescriptors with keys of their
// own before the IDPSSODescriptor, several SingleSignOnService bindings).
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  parseCertificate,
  parseIdpMetadata,
  type MetadataError,
} from '../../../functions/sso/saml-metadata.ts';
import { createLocalSamlIdp, newSamlIdpKeys, type SamlIdpKeys } from '../../../infra/local/idps/saml-idp.ts';

let samlKeys: SamlIdpKeys;
let wsFedKeys: SamlIdpKeys;
const der = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

beforeAll(async () => {
  [samlKeys, wsFedKeys] = await Promise.all([
    newSamlIdpKeys('saml-signing'),
    newSamlIdpKeys('ws-fed-signing'),
  ]);
});

function entraShaped(): string {
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  return `<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_7d3f1c2a" entityID="https://sts.windows.net/${tenant}/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${der(wsFedKeys.certificatePem)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${der(samlKeys.certificatePem)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <KeyDescriptor use="encryption"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${der(wsFedKeys.certificatePem)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/${tenant}/saml2" />
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/${tenant}/saml2" />
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/${tenant}/saml2" />
  </IDPSSODescriptor>
</EntityDescriptor>`;
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return { code: (error as MetadataError).code, message: (error as Error).message };
  }
  throw new Error('accepted');
}

describe('IdP metadata', () => {
  it("reads samlify's metadata: entity id, redirect SSO URL, logout URL and the signing certificate", () => {
    const idp = createLocalSamlIdp({
      entityId: 'http://127.0.0.1:4100/saml',
      ssoUrl: 'http://127.0.0.1:4100/saml/sso',
      keys: samlKeys,
    });
    const metadata = parseIdpMetadata(idp.metadata());
    expect(metadata).toMatchObject({
      entityId: 'http://127.0.0.1:4100/saml',
      ssoUrl: 'http://127.0.0.1:4100/saml/sso',
      ssoBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
      sloUrl: 'http://127.0.0.1:4100/saml/sso/logout',
    });
    expect(metadata.certificates.map((c) => c.fingerprint)).toEqual([
      new X509Certificate(samlKeys.certificatePem).fingerprint256,
    ]);
  });

  it('takes only the IDPSSODescriptor signing keys from Entra-shaped metadata', () => {
    const metadata = parseIdpMetadata(entraShaped());
    expect(metadata.entityId).toBe('https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/');
    expect(metadata.ssoUrl).toBe(
      'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2',
    );
    expect(metadata.certificates).toHaveLength(1);
    expect(metadata.certificates[0]).toMatchObject({
      fingerprint: new X509Certificate(samlKeys.certificatePem).fingerprint256,
      subject: 'CN=saml-signing',
    });
    expect(Date.parse(metadata.certificates[0]!.notAfter)).toBeGreaterThan(Date.now());
  });

  it.each([
    ['not XML', 'hello', /not well-formed XML/],
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', /DOCTYPE/],
    [
      'SP metadata',
      '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp"><SPSSODescriptor/></EntityDescriptor>',
      /no EntityDescriptor with an IDPSSODescriptor/,
    ],
  ])('refuses %s', (_, xml, message) => {
    expect(errorOf(() => parseIdpMetadata(xml))).toMatchObject({
      code: 'invalid_metadata',
      message: expect.stringMatching(message) as unknown,
    });
  });

  it('refuses metadata without a signing certificate or a usable SSO binding', () => {
    const noCert = entraShaped().replace(/<KeyDescriptor use="signing">[\s\S]*?<\/KeyDescriptor>/g, '');
    expect(errorOf(() => parseIdpMetadata(noCert)).message).toMatch(/no signing certificate/);
    const soapOnly = entraShaped().replace(
      /<SingleSignOnService[^>]*\/>/g,
      '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://x"/>',
    );
    expect(errorOf(() => parseIdpMetadata(soapOnly)).message).toMatch(/HTTP-Redirect or HTTP-POST/);
  });
});

describe('certificates', () => {
  it('accepts PEM and bare base64, and refuses what is not a certificate', () => {
    expect(parseCertificate(samlKeys.certificatePem).fingerprint).toBe(
      parseCertificate(der(samlKeys.certificatePem)).fingerprint,
    );
    expect(errorOf(() => parseCertificate('not a cert!')).code).toBe('invalid_certificate');
    expect(errorOf(() => parseCertificate('QUJDRA==')).code).toBe('invalid_certificate');
  });
});
