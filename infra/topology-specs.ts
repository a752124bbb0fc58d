// The specs the stacks build from, as infra/topology.ts derives them from the contexts' manifests:
// one per function, queue, stream consumer, rule, schedule, user pool trigger and API resource.
import type {
  AccessDeclaration,
  QueueDeclaration,
  RouteDeclaration,
  RuleDeclaration,
  ScheduleDeclaration,
  StreamConsumerDeclaration,
  TriggerDeclaration,
} from '../libs/manifest/types.ts';

export interface FunctionSpec {
  /** `<context>-<export>`: unique, and the construct id of the function. */
  readonly id: string;
  readonly context: string;
  readonly entry: string;
  /** The bundle of `entry`: the context's name for its main entry, `<context>-<module>` for another. */
  readonly bundle: string;
  readonly exportName: string;
  readonly access: AccessDeclaration;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** What the function is for, e.g. `tenants: API routes`. */
  readonly description: string;
  /**
   * Where the function is deployed. User pool triggers live beside the pool in the data stack: the
   * pool names them, so a trigger in the API stack would make the two stacks depend on each other.
   */
  readonly stack: 'api' | 'data';
}

export interface QueueSpec {
  readonly context: string;
  readonly declaration: QueueDeclaration;
  readonly functionId: string;
}

export interface StreamSpec {
  /** `<context>-<export>`, also names the stream's failure queue. */
  readonly id: string;
  readonly context: string;
  readonly declaration: StreamConsumerDeclaration;
  readonly functionId: string;
}

export type RuleTarget =
  | { readonly kind: 'queue'; readonly queue: string }
  | { readonly kind: 'function'; readonly functionId: string };

export interface RuleSpec {
  /** `<context>-<rule name>`. */
  readonly id: string;
  readonly context: string;
  readonly declaration: RuleDeclaration;
  readonly target: RuleTarget;
}

export interface ScheduleSpec {
  /** `<context>-<schedule name>`. */
  readonly id: string;
  readonly context: string;
  readonly declaration: ScheduleDeclaration;
  readonly functionId: string;
}

export interface TriggerSpec {
  /** `<context>-<export>`, also the id of the trigger's function. */
  readonly id: string;
  readonly context: string;
  readonly declaration: TriggerDeclaration;
  readonly functionId: string;
}

export interface ApiResourceSpec {
  /** Path below the stage, e.g. `/platform/tenants/{tenantId}` for `/v1/platform/tenants/{tenantId}`. */
  readonly path: string;
  readonly functionId: string;
  readonly routes: readonly RouteDeclaration[];
}

export interface Topology {
  readonly functions: readonly FunctionSpec[];
  /** One bundle per entry module: the context's name and its entry file. */
  readonly bundles: ReadonlyArray<{ readonly name: string; readonly entry: string }>;
  readonly authorizerFunctionId: string;
  readonly queues: readonly QueueSpec[];
  readonly streams: readonly StreamSpec[];
  readonly rules: readonly RuleSpec[];
  readonly schedules: readonly ScheduleSpec[];
  /** Cognito user pool triggers, at most one per trigger kind. */
  readonly triggers: readonly TriggerSpec[];
  readonly resources: readonly ApiResourceSpec[];
}
