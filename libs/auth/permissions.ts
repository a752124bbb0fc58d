// Every permission Plinth knows. Platform admins hold the platform ones; a tenant API key holds
// the tenant permissions named by its scopes.
export const platformPermissions = [
  'platform.tenants:read',
  'platform.tenants:write',
  'platform.tenants:suspend',
  'platform.events:read',
  'platform.api-keys:read',
  'platform.api-keys:write',
] as const;

export const tenantPermissions = ['tenant:read', 'api-keys:read', 'api-keys:write'] as const;

export type PlatformPermission = (typeof platformPermissions)[number];
export type TenantPermission = (typeof tenantPermissions)[number];

/** Scopes given to a tenant API key created without any. */
export const defaultApiKeyScopes: TenantPermission[] = ['tenant:read'];
