// Reading what a SAML connection needs from the identity provider's metadata XML (as Okta, Entra ID
// or ADFS publish it): the IdP's entity id, its single sign-on URL and its signing certificates,
// each parsed so an admin sees its expiry. Only the IDPSSODescriptor counts: Entra ID's metadata also
// carries WS-Federation RoleDescriptors whose keys are not for SAML.
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import * as xpath from 'xpath';

export const bindings = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export interface CertificateInfo {
  pem: string;
  subject: string;
  /** SHA-256 fingerprint, colon-separated hex, as IdP consoles show it. */
  fingerprint: string;
  notBefore: string;
  notAfter: string;
}

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  ssoBinding: string;
  sloUrl: string | undefined;
  certificates: CertificateInfo[];
}

/** Why metadata or a certificate could not be used: the field and what is wrong with it. */
export class MetadataError extends Error {
  constructor(
    readonly code: 'invalid_metadata' | 'invalid_certificate',
    message: string,
  ) {
    super(message);
  }
}

/** Max size of a metadata document; real ones are a few KB to a few tens. */
const maxMetadataChars = 256 * 1024;

/** A certificate as IdPs give it (PEM, or bare base64 DER as in metadata), checked and described. */
export function parseCertificate(text: string): CertificateInfo {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) {
    throw new MetadataError('invalid_certificate', 'is not a PEM or base64 X.509 certificate');
  }
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new MetadataError('invalid_certificate', 'is not a readable X.509 certificate');
  }
  return {
    pem,
    subject: certificate.subject.replace(/\n/g, ', '),
    fingerprint: certificate.fingerprint256,
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

const select = (expression: string, node: Node) => xpath.select(expression, node) as Node[];
const attribute = (node: Node, name: string) => (node as Element).getAttribute(name) ?? '';

export function parseIdpMetadata(xml: string): IdpMetadata {
  if (xml.length > maxMetadataChars) {
    throw new MetadataError('invalid_metadata', `is larger than ${maxMetadataChars / 1024} KB`);
  }
  // No DTDs: they are how entity expansion attacks start, and metadata never needs one.
  if (/<!DOCTYPE/i.test(xml)) throw new MetadataError('invalid_metadata', 'must not contain a DOCTYPE');
  const errors: string[] = [];
  const document = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (m: unknown) => errors.push(String(m)),
      fatalError: (m: unknown) => errors.push(String(m)),
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !document?.documentElement) {
    throw new MetadataError('invalid_metadata', `is not well-formed XML (${errors[0] ?? 'empty'})`);
  }
  const entities = select(
    "//*[local-name()='EntityDescriptor'][*[local-name()='IDPSSODescriptor']]",
    document,
  );
  if (entities.length !== 1) {
    throw new MetadataError(
      'invalid_metadata',
      entities.length === 0
        ? 'has no EntityDescriptor with an IDPSSODescriptor: is this the identity provider’s metadata?'
        : 'describes several identity providers; give the metadata of one',
    );
  }
  const entity = entities[0]!;
  const entityId = attribute(entity, 'entityID');
  if (!entityId) throw new MetadataError('invalid_metadata', 'has an EntityDescriptor without entityID');
  const descriptor = select("*[local-name()='IDPSSODescriptor']", entity)[0]!;

  const services = select("*[local-name()='SingleSignOnService']", descriptor);
  const sso =
    services.find((s) => attribute(s, 'Binding') === bindings.redirect) ??
    services.find((s) => attribute(s, 'Binding') === bindings.post);
  if (!sso || !attribute(sso, 'Location')) {
    throw new MetadataError(
      'invalid_metadata',
      'has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding',
    );
  }
  const slo = select("*[local-name()='SingleLogoutService']", descriptor).find(
    (s) => attribute(s, 'Binding') === bindings.redirect || attribute(s, 'Binding') === bindings.post,
  );

  const keys = select("*[local-name()='KeyDescriptor']", descriptor).filter((k) => {
    const use = attribute(k, 'use');
    return use === '' || use === 'signing';
  });
  const texts = keys.flatMap((k) =>
    select(".//*[local-name()='X509Certificate']", k).map((c) => c.textContent ?? ''),
  );
  if (texts.length === 0)
    throw new MetadataError('invalid_metadata', 'has no signing certificate in its IDPSSODescriptor');
  const certificates = [
    ...new Map(texts.map((t) => parseCertificate(t)).map((c) => [c.fingerprint, c])).values(),
  ];

  return {
    entityId,
    ssoUrl: attribute(sso, 'Location'),
    ssoBinding: attribute(sso, 'Binding'),
    sloUrl: slo ? attribute(slo, 'Location') : undefined,
    certificates,
  };
}
