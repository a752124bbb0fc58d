// The tenant lifecycle as a state machine: which action may move a tenant from which status.
import { Problem } from '../../libs/http/problem.ts';

export type TenantStatus = 'active' | 'suspended';
export type LifecycleAction = 'suspend' | 'resume';

interface Transition {
  from: readonly TenantStatus[];
  to: TenantStatus;
  /** The action's past participle, for the refusal's wording. */
  done: string;
}

const transitions: Record<LifecycleAction, Transition> = {
  suspend: { from: ['active'], to: 'suspended', done: 'suspended' },
  resume: { from: ['suspended'], to: 'active', done: 'resumed' },
};

/** The status after `action`, or a 409 invalid_transition naming what is allowed. */
export function nextStatus(current: TenantStatus, action: LifecycleAction): TenantStatus {
  const rule = transitions[action];
  if (!rule.from.includes(current)) {
    throw new Problem(409, 'invalid_transition', `A tenant that is ${current} cannot be ${rule.done}.`, {
      extensions: { status: current, action, allowedFrom: rule.from },
    });
  }
  return rule.to;
}
