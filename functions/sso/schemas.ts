// Request and response schemas of the SSO context; the OpenAPI document is generated from them.
import * as z from 'zod';
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

const attributeName = z.string().trim().min(1).max(256);
export const attributeMapping = z
  .strictObject({
    email: attributeName.default('email'),
    name: attributeName.default('name'),
    groups: attributeName.default('groups'),
  })
  .describe('Which assertion attributes hold the email (else the NameID), the name and the groups.');

/** The IdP's side of a SAML connection: its metadata XML, or the three values by hand. */
export const samlIdpSettings = z.union([
  z.strictObject({ metadataXml: z.string().min(1).max(262_144) }),
  z.strictObject({
    entityId: z.string().trim().min(1).max(1024),
    ssoUrl: z.url({ protocol: /^https?$/ }).max(2048),
    certificates: z.array(z.string().min(1).max(16_384)).min(1).max(5),
  }),
]);

export const createConnectionBody = z
  .strictObject({
    type: z.literal('saml'),
    name: z.string().trim().min(1).max(200),
    saml: samlIdpSettings,
    attributeMapping: attributeMapping.optional(),
    allowIdpInitiated: z.boolean().default(false),
  })
  .meta({ id: 'CreateSsoConnectionRequest' });

export const updateConnectionBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    enabled: z.boolean().optional(),
    allowIdpInitiated: z.boolean().optional(),
    attributeMapping: attributeMapping.optional(),
    saml: samlIdpSettings.optional(),
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
    type: z.literal('saml'),
    name: z.string(),
    enabled: z.boolean(),
    allowIdpInitiated: z.boolean(),
    saml: z.strictObject({
      idpEntityId: z.string(),
      ssoUrl: z.string(),
      sloUrl: z.string().optional(),
      certificates: z.array(certificate),
    }),
    attributeMapping: z.strictObject({ email: z.string(), name: z.string(), groups: z.string() }),
    serviceProvider: z
      .strictObject({
        entityId: z.string().describe('The SP entity id (audience) to enter in the IdP'),
        acsUrl: z.string().describe('The assertion consumer service (reply) URL to enter in the IdP'),
        metadataXml: z.string().describe('The same as SP metadata, for IdPs that import it'),
      })
      .describe("Plinth's side of the connection"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SsoConnection' });

export const connectionPage = z
  .strictObject({ items: z.array(connection), nextCursor: z.string().optional() })
  .meta({ id: 'SsoConnectionPage' });
