// The API's view of the SSO context's items.
import type { RouteRequest } from '../../libs/http/route.ts';
import { verificationRecord } from './domains.ts';
import type { ConnectionItem, DomainItem, SignInFailureItem } from './entities.ts';

export function domainResource(item: DomainItem) {
  return {
    domain: item.domain,
    status: item.status,
    verification: verificationRecord(item.domain, item.verificationToken),
    createdAt: item.createdAt,
    ...(item.verifiedAt ? { verifiedAt: item.verifiedAt } : {}),
    ...(item.lastCheckedAt ? { lastCheckedAt: item.lastCheckedAt } : {}),
    ...(item.lastCheckError ? { lastCheckError: item.lastCheckError } : {}),
  };
}

/** Where this API is reached, as the caller reached it: the base of the ACS URL the IdP posts to. */
export function apiBase(request: Pick<RouteRequest, 'headers'>): string {
  const host = request.headers['x-forwarded-host'] ?? request.headers.host ?? 'localhost';
  const proto =
    request.headers['x-forwarded-proto'] ??
    (/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host) ? 'http' : 'https');
  return `${proto}://${host}`;
}

/** What Plinth's side of a SAML connection is: the values the tenant's IdP admin enters. */
export function serviceProvider(connectionId: string, apiBase: string) {
  const entityId = `urn:plinth:sso:${connectionId}`;
  const acsUrl = `${apiBase}/v1/sso/saml/${connectionId}/acs`;
  return {
    entityId,
    acsUrl,
    metadataXml:
      `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">` +
      `<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
      `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
      `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acsUrl}" index="0" isDefault="true"/>` +
      `</md:SPSSODescriptor></md:EntityDescriptor>`,
  };
}

/** The connection in events: what it points at, never key material. */
export function connectionSnapshot(item: ConnectionItem) {
  return {
    id: item.connectionId,
    type: item.type,
    name: item.name,
    enabled: item.enabled,
    allowIdpInitiated: item.allowIdpInitiated,
    idpEntityId: item.idpEntityId,
    certificateFingerprints: item.certificates.map((c) => c.fingerprint),
  };
}

export function connectionResource(item: ConnectionItem, apiBase: string) {
  return {
    id: item.connectionId,
    type: item.type,
    name: item.name,
    enabled: item.enabled,
    allowIdpInitiated: item.allowIdpInitiated,
    saml: {
      idpEntityId: item.idpEntityId,
      ssoUrl: item.ssoUrl,
      ...(item.sloUrl ? { sloUrl: item.sloUrl } : {}),
      certificates: item.certificates.map(({ subject, fingerprint, notBefore, notAfter }) => ({
        subject,
        fingerprint,
        notBefore,
        notAfter,
      })),
    },
    attributeMapping: item.attributeMapping,
    roleMapping: item.roleMapping ?? [],
    defaultRoles: item.defaultRoles ?? [],
    serviceProvider: serviceProvider(item.connectionId, apiBase),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export function failureResource(item: SignInFailureItem) {
  return {
    at: item.at,
    code: item.code,
    message: item.message,
    ...(item.email ? { email: item.email } : {}),
  };
}
