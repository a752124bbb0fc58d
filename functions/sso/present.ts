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

/** Where this API is reached, as the caller reached it: the base of the ACS and redirect URIs. */
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

/** Where the OpenID provider sends the browser back: the redirect URI to register for the client. */
export function oidcRedirectUri(connectionId: string, apiBase: string): string {
  return `${apiBase}/v1/sso/oidc/${connectionId}/callback`;
}

/** The connection in events: what it points at, never key material or a client secret. */
export function connectionSnapshot(item: ConnectionItem) {
  const base = {
    id: item.connectionId,
    name: item.name,
    enabled: item.enabled,
    allowIdpInitiated: item.allowIdpInitiated,
  };
  if (item.type === 'oidc') {
    const oidc = oidcOf(item);
    return {
      ...base,
      type: 'oidc' as const,
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      scopes: oidc.scopes,
    };
  }
  return {
    ...base,
    type: 'saml' as const,
    idpEntityId: item.idpEntityId ?? '',
    certificateFingerprints: (item.certificates ?? []).map((c) => c.fingerprint),
  };
}

/** An OIDC connection's provider settings; every OIDC item has them (the entity's writers see to it). */
export function oidcOf(item: ConnectionItem): NonNullable<ConnectionItem['oidc']> {
  if (!item.oidc) throw new Error(`connection ${item.connectionId} is ${item.type}, with no OIDC settings`);
  return item.oidc;
}

function protocolFields(item: ConnectionItem, apiBase: string) {
  if (item.type === 'oidc') {
    const oidc = oidcOf(item);
    return {
      oidc: {
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        clientSecretSet: true as const,
        scopes: oidc.scopes,
        redirectUri: oidcRedirectUri(item.connectionId, apiBase),
      },
    };
  }
  return {
    saml: {
      idpEntityId: item.idpEntityId ?? '',
      ssoUrl: item.ssoUrl ?? '',
      ...(item.sloUrl ? { sloUrl: item.sloUrl } : {}),
      certificates: (item.certificates ?? []).map(({ subject, fingerprint, notBefore, notAfter }) => ({
        subject,
        fingerprint,
        notBefore,
        notAfter,
      })),
    },
    serviceProvider: serviceProvider(item.connectionId, apiBase),
  };
}

export function connectionResource(item: ConnectionItem, apiBase: string) {
  return {
    id: item.connectionId,
    type: item.type,
    name: item.name,
    enabled: item.enabled,
    allowIdpInitiated: item.allowIdpInitiated,
    ...protocolFields(item, apiBase),
    attributeMapping: item.attributeMapping,
    roleMapping: item.roleMapping ?? [],
    defaultRoles: item.defaultRoles ?? [],
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
