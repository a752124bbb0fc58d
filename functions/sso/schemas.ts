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
