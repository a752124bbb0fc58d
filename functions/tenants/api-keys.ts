// Issuing API keys: scopes, the plan's key limit, and the secret that is shown once.
import { defaultApiKeyScopes } from '../../libs/auth/permissions.ts';
import { generateApiKey } from '../../libs/auth/api-key.ts';
import { Problem } from '../../libs/http/problem.ts';
import type { TenantsDeps } from './context.ts';
import { apiKeyResource } from './present.ts';
import type { Actor } from '../../libs/data/outbox.ts';

export interface IssueApiKeyInput {
  name: string;
  scopes?: string[] | undefined;
}

/**
 * Creates a key for `tenantId`. `grantable` limits the scopes to those the caller holds itself,
 * so a tenant key can never mint a more powerful one; platform admins may grant any tenant scope.
 */
export async function issueApiKey(
  deps: TenantsDeps,
  tenantId: string,
  input: IssueApiKeyInput,
  actor: Actor,
  grantable?: ReadonlySet<string>,
) {
  const scopes = [...new Set(input.scopes ?? defaultApiKeyScopes)];
  const notHeld = grantable ? scopes.filter((s) => !grantable.has(s)) : [];
  if (notHeld.length > 0) {
    throw new Problem(
      403,
      'scope_not_held',
      `A key cannot be given scopes its creator lacks: ${notHeld.join(', ')}.`,
      {
        extensions: { scopes: notHeld },
      },
    );
  }
  const tenant = await deps.store.requireTenant(tenantId);
  const limit = deps.config.deployment.plans[tenant.plan]?.limits.apiKeys ?? 0;
  const key = generateApiKey({ kind: 'tenant', tenantId });
  const item = await deps.store.createApiKey(tenantId, key, { name: input.name, scopes }, limit, actor);
  return { ...apiKeyResource(item), secret: key.key };
}
