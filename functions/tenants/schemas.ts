// Request and response schemas of the tenants context; the OpenAPI document is generated from them.
import * as z from 'zod';
import { tenantId } from '../../libs/http/id-schemas.ts';
import { tenantPermissions } from '../../libs/auth/permissions.ts';

export { tenantId };
export const apiKeyId = z.string().regex(/^key_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an API key id (key_…)');

export const slug = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(40, 'must be at most 40 characters')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and inner dashes');

export const tenantStatus = z.enum(['active', 'suspended']);

export const tenant = z
  .strictObject({
    id: tenantId,
    slug,
    name: z.string(),
    plan: z.string(),
    homeRegion: z.string(),
    status: tenantStatus,
    suspendedReason: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Tenant' });

export const createTenantBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    slug,
    plan: z.string().min(1).optional(),
    region: z.string().min(1),
    /** The tenant's first owner: they get an invitation by email, sent with the tenant's creation. */
    owner: z
      .strictObject({
        email: z.email().max(254),
        name: z.string().trim().min(1).max(200).optional(),
      })
      .optional(),
  })
  .meta({ id: 'CreateTenantRequest' });

export const updateTenantBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    plan: z.string().min(1).optional(),
  })
  .refine((b) => b.name !== undefined || b.plan !== undefined, { message: 'name or plan is required' })
  .meta({ id: 'UpdateTenantRequest' });

export const suspendTenantBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500) })
  .meta({ id: 'SuspendTenantRequest' });

export const emptyBody = z.strictObject({}).optional();

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const listTenantsQuery = pageQuery.extend({ status: tenantStatus.optional() });

export const tenantPathParams = z.strictObject({ tenantId });
export const tenantKeyPathParams = z.strictObject({ tenantId, keyId: apiKeyId });
export const keyPathParams = z.strictObject({ keyId: apiKeyId });

export const apiKeyScope = z.enum(tenantPermissions);

export const apiKey = z
  .strictObject({
    id: apiKeyId,
    tenantId,
    name: z.string(),
    scopes: z.array(apiKeyScope),
    prefix: z.string().describe('The first characters of the key, to recognise it in lists.'),
    status: z.enum(['active', 'revoked']),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().optional(),
    revokedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'ApiKey' });

export const createdApiKey = apiKey
  .extend({ secret: z.string().describe('The full key. Shown once; Plinth keeps only its hash.') })
  .meta({ id: 'CreatedApiKey' });

export const createApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(apiKeyScope).min(1).optional(),
  })
  .meta({ id: 'CreateApiKeyRequest' });

export const event = z
  .strictObject({
    id: z.string(),
    type: z.string(),
    version: z.number().int(),
    tenantId,
    actor: z.strictObject({ type: z.string(), id: z.string() }),
    occurredAt: z.iso.datetime(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Event' });

export function page<T extends z.ZodType>(item: T, id: string) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
}
