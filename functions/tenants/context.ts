// What the tenants routes are given: the store, the deployment config and the cursor codec.
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import { Problem } from '../../libs/http/problem.ts';
import type { TenantStore } from './store.ts';

export interface TenantsDeps {
  store: TenantStore;
  config: RuntimeConfig;
  cursors: CursorCodec;
}

/** Checks a plan name against the deployment's plans, as a field error of the request body. */
export function requirePlan(config: RuntimeConfig, plan: string) {
  const found = config.deployment.plans[plan];
  if (!found) {
    throw new Problem(400, 'validation_failed', 'The request has invalid fields; see errors.', {
      errors: [
        {
          path: 'body.plan',
          code: 'unknown_plan',
          message: `must be one of: ${Object.keys(config.deployment.plans).join(', ')}`,
        },
      ],
    });
  }
  return found;
}
