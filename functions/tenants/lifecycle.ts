// The tenant lifecycle as a state machine: which action may move a tenant from which status.
import { Problem } from '../../libs/http/problem.ts';

export type TenantStatus = 'active' | 'suspended';
export type LifecycleAction = 'suspend' | 'resume';

const transitions: Record<LifecycleAction, { from: readonly TenantStatus[]; to: TenantStatus }> = {
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
};

/** The status after `action`, or a 409 invalid_transition naming what is allowed. */
export function nextStatus(current: TenantStatus, action: LifecycleAction): TenantStatus {
  const rule = transitions[action];
  if (!rule.from.includes(current)) {
    throw new Problem(409, 'invalid_transition', `A tenant that is ${current} cannot be ${action}d.`, {
      extensions: { status: current, action, allowedFrom: rule.from },
    });
  }
  return rule.to;
}
