// Issuing API keys: scopes, the plan's key limit, and the secret that is shown once.
import { actorOf, type CallerContext } from '../../libs/auth/caller.ts';
import { defaultApiKeyScopes } from '../../libs/auth/permissions.ts';
import { generateApiKey } from '../../libs/auth/api-key.ts';
import { requireGrantable } from '../../libs/auth/grants.ts';
import type { TenantsDeps } from './context.ts';
import { apiKeyResource } from './present.ts';

export interface IssueApiKeyInput {
  name: string;
  scopes?: string[] | undefined;
}

/**
 * Creates a key for `tenantId`. A tenant caller gives it only scopes it holds itself, so a key never
 * mints a more powerful one; the platform grants tenants what they hold, so it may give any scope.
 */
export async function issueApiKey(
  deps: TenantsDeps,
  tenantId: string,
  input: IssueApiKeyInput,
  caller: CallerContext,
) {
  const scopes = [...new Set(input.scopes ?? defaultApiKeyScopes)];
  if (caller.kind === 'tenant') requireGrantable(caller, { permissions: scopes });
  const tenant = await deps.store.requireTenant(tenantId);
  const limit = deps.config.deployment.plans[tenant.plan]?.limits.apiKeys ?? 0;
  const key = generateApiKey({ kind: 'tenant', tenantId });
  const item = await deps.store.createApiKey(
    tenantId,
    key,
    { name: input.name, scopes },
    limit,
    actorOf(caller),
  );
  return { ...apiKeyResource(item), secret: key.key };
}
