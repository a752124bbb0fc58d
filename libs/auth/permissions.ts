// Every permission Plinth knows. Platform admins hold the platform ones; a tenant API key holds
// the tenant permissions named by its scopes.
export const platformPermissions = [
  'platform.tenants:read',
  'platform.tenants:write',
  'platform.tenants:suspend',
  'platform.events:read',
  'platform.api-keys:read',
  'platform.api-keys:write',
  'platform.sso:read',
] as const;

/**
 * Tenant permissions, held through roles (users) or scopes (API keys). `self:*` covers a user's own
 * profile, sessions and MFA; `webhooks:secrets` reveals and rotates signing secrets.
 */
export const tenantPermissions = [
  'tenant:read',
  'tenant:write',
  'api-keys:read',
  'api-keys:write',
  'self:read',
  'self:write',
  'users:read',
  'users:write',
  'roles:read',
  'roles:write',
  'invitations:read',
  'invitations:write',
  'sessions:read',
  'sessions:write',
  'jobs:read',
  'webhooks:read',
  'webhooks:write',
  'webhooks:secrets',
  'event-destinations:read',
  'event-destinations:write',
  'billing:read',
  'sso:read',
  'sso:write',
] as const;

export type PlatformPermission = (typeof platformPermissions)[number];
export type TenantPermission = (typeof tenantPermissions)[number];

/** Scopes given to a tenant API key created without any. */
export const defaultApiKeyScopes: TenantPermission[] = ['tenant:read'];
