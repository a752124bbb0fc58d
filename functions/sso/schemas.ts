// Request and response schemas of the SSO context; the OpenAPI document is generated from them.
import * as z from 'zod';
import { roleId } from '../../libs/auth/role-schemas.ts';
import { tenantId } from '../../libs/http/id-schemas.ts';
import { canonicalDomain } from './domains.ts';

/** A domain as a client writes it (any case, IDN or punycode, trailing dot), read in canonical form. */
export const domainName = z
  .string()
  .max(255)
  .transform((raw, ctx) => {
    const result = canonicalDomain(raw);
    if ('domain' in result) return result.domain;
    ctx.addIssue({ code: 'custom', message: result.message, params: { code: result.code } });
    return z.NEVER;
  })
  .meta({ description: 'A domain name, e.g. `example.com`; stored lowercase in ASCII (punycode).' });

export const domain = z
  .strictObject({
    domain: z.string(),
    status: z.enum(['pending', 'verified']),
    verification: z
      .strictObject({
        type: z.literal('TXT'),
        name: z.string().describe('Where to publish the record: `_plinth-verification.<domain>`.'),
        value: z.string().describe('The TXT record value to publish.'),
      })
      .describe('The DNS record that proves the claim; keep it published.'),
    createdAt: z.iso.datetime(),
    verifiedAt: z.iso.datetime().optional(),
    lastCheckedAt: z.iso.datetime().optional(),
    lastCheckError: z.string().optional().describe('Why the last check did not verify the domain.'),
  })
  .meta({ id: 'Domain' });

export const createDomainBody = z.strictObject({ domain: domainName }).meta({ id: 'CreateDomainRequest' });

export const domainPathParams = z.strictObject({ domain: domainName });

export const emptyBody = z.strictObject({}).optional();

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const domainPage = z
  .strictObject({ items: z.array(domain), nextCursor: z.string().optional() })
  .meta({ id: 'DomainPage' });

export const connectionId = z
  .string()
  .regex(/^con_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a connection id (con_…)');
export const connectionPathParams = z.strictObject({ connectionId });

export const tenantPathParams = z.strictObject({ tenantId });
export const tenantConnectionPathParams = z.strictObject({ tenantId, connectionId });

const attributeName = z.string().trim().min(1).max(256);
export const attributeMapping = z
  .strictObject({
    email: attributeName.default('email'),
    name: attributeName.default('name'),
    groups: attributeName.default('groups'),
  })
  .describe(
    'Which assertion attributes (SAML) or ID token claims (OIDC) hold the email (else the NameID), the name and the groups.',
  );

const roleList = z
  .array(roleId)
  .min(1)
  .max(20)
  .refine((r) => new Set(r).size === r.length, 'must not repeat a role')
  .refine((r) => !r.includes('owner'), 'the owner role is given in Plinth, never by an IdP group');

export const roleMapping = z
  .array(z.strictObject({ group: z.string().trim().min(1).max(256), roles: roleList }))
  .max(100)
  .refine((m) => new Set(m.map((e) => e.group)).size === m.length, 'must not map a group twice')
  .describe(
    "Roles per IdP group: a user gets the roles of every group of theirs that is mapped, set anew at each sign-in. The mapping's author must be able to grant every role in it.",
  );

export const defaultRoles = roleList.describe('Roles of a user none of whose groups is mapped.');

/** The IdP's side of a SAML connection: its metadata XML, or the three values by hand. */
export const samlIdpSettings = z.union([
  z.strictObject({ metadataXml: z.string().min(1).max(262_144) }),
  z
    .strictObject({ metadataUrl: z.url({ protocol: /^https?$/ }).max(2048) })
    .describe("Fetched once when the connection is saved; PATCH it again to read the IdP's new metadata."),
  z.strictObject({
    entityId: z.string().trim().min(1).max(1024),
    ssoUrl: z.url({ protocol: /^https?$/ }).max(2048),
    certificates: z.array(z.string().min(1).max(16_384)).min(1).max(5),
  }),
]);

/** The provider's side of an OIDC connection: its issuer (discovered from it) and Plinth's client there. */
const oidcIssuer = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .describe('The issuer identifier: its `/.well-known/openid-configuration` must name the same issuer.');
const oidcClientId = z.string().trim().min(1).max(512);
const oidcClientSecret = z
  .string()
  .min(1)
  .max(4096)
  .describe('Kept encrypted and never returned; the connection shows `clientSecretSet` instead.');
const oidcScopes = z
  .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'must be a scope token'))
  .min(1)
  .max(20)
  .refine((scopes) => scopes.includes('openid'), 'must include openid')
  .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope')
  .describe('Scopes Plinth asks for; `openid email profile` unless given.');

export const oidcProviderSettings = z.strictObject({
  issuer: oidcIssuer,
  clientId: oidcClientId,
  clientSecret: oidcClientSecret,
  scopes: oidcScopes.default(['openid', 'email', 'profile']),
});

const connectionCommon = {
  name: z.string().trim().min(1).max(200),
  attributeMapping: attributeMapping.optional(),
  roleMapping: roleMapping.default([]),
  defaultRoles: defaultRoles.default(['member']),
};

export const createConnectionBody = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('saml'),
      ...connectionCommon,
      saml: samlIdpSettings,
      allowIdpInitiated: z.boolean().default(false),
    }),
    z.strictObject({ type: z.literal('oidc'), ...connectionCommon, oidc: oidcProviderSettings }),
  ])
  .meta({ id: 'CreateSsoConnectionRequest' });

export const updateConnectionBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    enabled: z.boolean().optional(),
    allowIdpInitiated: z.boolean().optional(),
    attributeMapping: attributeMapping.optional(),
    roleMapping: roleMapping.optional(),
    defaultRoles: defaultRoles.optional(),
    saml: samlIdpSettings.optional().describe('SAML connections only'),
    oidc: z
      .strictObject({
        issuer: oidcIssuer.optional(),
        clientId: oidcClientId.optional(),
        clientSecret: oidcClientSecret.optional(),
        scopes: oidcScopes.optional(),
      })
      .optional()
      .describe('OIDC connections only; the provider is discovered again'),
  })
  .meta({ id: 'UpdateSsoConnectionRequest' });

const certificate = z.strictObject({
  subject: z.string(),
  fingerprint: z.string().describe('SHA-256, colon-separated hex'),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime().describe('When the IdP must have rolled to a new certificate'),
});

export const connection = z
  .strictObject({
    id: connectionId,
    type: z.enum(['saml', 'oidc']),
    name: z.string(),
    enabled: z.boolean(),
    allowIdpInitiated: z.boolean(),
    saml: z
      .strictObject({
        idpEntityId: z.string(),
        ssoUrl: z.string(),
        sloUrl: z.string().optional(),
        certificates: z.array(certificate),
      })
      .optional()
      .describe('SAML connections: the IdP'),
    oidc: z
      .strictObject({
        issuer: z.string(),
        clientId: z.string(),
        clientSecretSet: z.literal(true).describe('The secret is kept encrypted and never returned'),
        scopes: z.array(z.string()),
        redirectUri: z
          .string()
          .describe('The redirect (callback) URI to register for the client at the provider'),
      })
      .optional()
      .describe('OIDC connections: the provider and the client Plinth signs in as'),
    attributeMapping: z.strictObject({ email: z.string(), name: z.string(), groups: z.string() }),
    roleMapping: z.array(z.strictObject({ group: z.string(), roles: z.array(z.string()) })),
    defaultRoles: z.array(z.string()),
    serviceProvider: z
      .strictObject({
        entityId: z.string().describe('The SP entity id (audience) to enter in the IdP'),
        acsUrl: z.string().describe('The assertion consumer service (reply) URL to enter in the IdP'),
        metadataXml: z.string().describe('The same as SP metadata, for IdPs that import it'),
      })
      .optional()
      .describe("SAML connections: Plinth's side of the connection"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SsoConnection' });

export const connectionPage = z
  .strictObject({ items: z.array(connection), nextCursor: z.string().optional() })
  .meta({ id: 'SsoConnectionPage' });

/** An app's sign-in request: OAuth 2.0's authorization request, with PKCE required. */
export const authorizeQuery = z
  .strictObject({
    email: z
      .email()
      .max(320)
      .optional()
      .describe("Home realm discovery: the email's verified domain picks the connection."),
    connection: connectionId.optional().describe('Sign in through this connection instead of by email.'),
    redirect_uri: z.url({ protocol: /^https?$/ }).max(2048),
    code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256 (43 characters)'),
    code_challenge_method: z.literal('S256'),
    state: z.string().min(1).max(512).optional(),
  })
  .refine((q) => (q.email === undefined) !== (q.connection === undefined), {
    message: 'give email or connection, not both',
    path: ['email'],
  });

export const signInRedirect = z
  .strictObject({ redirectUrl: z.string().describe("The IdP's sign-in URL, with the AuthnRequest") })
  .meta({ id: 'SsoSignInRedirect' });

/** What an IdP posts to the assertion consumer service (HTTP-POST binding). */
export const acsForm = z.object({
  SAMLResponse: z.string().min(1).max(262_144),
  RelayState: z.string().max(512).optional(),
});

export const acsPathParams = connectionPathParams;

/** What an OpenID provider sends the browser back with: a code, or an error; `state` names the sign-in. */
export const oidcCallbackQuery = z.object({
  code: z.string().min(1).max(4096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  iss: z.string().max(2048).optional(),
});

export const tokenBody = z
  .strictObject({
    grant_type: z.literal('authorization_code'),
    code: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a sign-in code'),
    code_verifier: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{43,128}$/, "must be the PKCE verifier (RFC 7636's characters, 43-128)")
      .optional()
      .describe('Required unless the sign-in was IdP-initiated, which has no challenge.'),
  })
  .meta({ id: 'SsoTokenRequest' });

export const tokens = z
  .strictObject({
    access_token: z.string(),
    id_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
  })
  .meta({ id: 'SsoTokens' });

export const failure = z.strictObject({
  at: z.iso.datetime(),
  code: z.string().describe('Why the sign-in was refused, e.g. `invalid_signature`, `domain_not_verified`'),
  message: z.string(),
  email: z.string().optional(),
});

export const failurePage = z
  .strictObject({ items: z.array(failure), nextCursor: z.string().optional() })
  .meta({ id: 'SsoFailurePage' });

export const testStarted = z
  .strictObject({
    testId: z.string(),
    signInUrl: z.string().describe('Open it in a browser and sign in at the IdP; the result is kept here.'),
  })
  .meta({ id: 'SsoTestStarted' });

export const testPathParams = z.strictObject({
  connectionId,
  testId: z.string().regex(/^sin_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a test id (sin_…)'),
});

export const testResult = z
  .strictObject({
    testId: z.string(),
    status: z.enum(['pending', 'completed', 'failed']),
    profile: z
      .strictObject({
        nameId: z.string().describe('The SAML NameID, or the OIDC subject (`sub`)'),
        email: z.string().optional(),
        name: z.string().optional(),
        groups: z.array(z.string()),
        roles: z.array(z.string()).describe('What the mapping would give this user'),
        mfa: z.boolean().describe('Whether the IdP said the person passed a second factor'),
        attributes: z.record(z.string(), z.array(z.string())),
      })
      .optional(),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'SsoTestResult' });
