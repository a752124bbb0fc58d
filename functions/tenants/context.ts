// What the tenants routes are given: the store, the deployment config, the cursor codec and the
// mail key's box.
import type { RuntimeConfig } from '../../libs/config/runtime.ts';
import type { SecretBox } from '../../libs/crypto/secret-box.ts';
import type { CursorCodec } from '../../libs/http/cursor.ts';
import { Problem } from '../../libs/http/problem.ts';
import type { TenantStore } from './store.ts';

export interface TenantsDeps {
  store: TenantStore;
  config: RuntimeConfig;
  cursors: CursorCodec;
  /** Seals the invitation mail of a new tenant's owner: the mail key. */
  mailBox: Pick<SecretBox, 'seal'>;
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
