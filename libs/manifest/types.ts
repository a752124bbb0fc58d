// What a bounded context declares about itself: routes with their permission, queues it consumes,
// stream consumers, event rules and schedules. The CDK stacks, the local runtime and the OpenAPI
// document all read these declarations; nothing else lists routes or queues.
import type * as z from 'zod';
import type { DeploymentKey } from '../config/keys.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route.
 * - `platform`: a platform admin credential; tenants are named in the path.
 * - `tenant`: a tenant credential; the tenant comes from the credential only.
 * - `public`: no credential (the authorizer is not run).
 */
export type Audience = 'platform' | 'tenant' | 'public';

/** A permission is `resource:action` (e.g. `tenants:read`, `api-keys:write`), or `public`. */
export type Permission = `${string}:${string}` | 'public';

export interface ResponseDeclaration {
  description: string;
  schema?: z.ZodType;
}

export interface RouteDeclaration<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  /** Unique across Plinth; also the name of the implementation in the context's routes file. */
  operationId: string;
  method: HttpMethod;
  /** API Gateway style path with `{name}` parameters, e.g. `/v1/platform/tenants/{tenantId}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  audience: Audience;
  permission: Permission;
  request?: {
    params?: P;
    query?: Q;
    body?: B;
    /**
     * The body's media types: JSON unless said, HTML forms (`form`, as SAML's HTTP-POST binding and
     * OAuth token requests send) read into an object of strings.
     */
    bodyMedia?: ReadonlyArray<'json' | 'form'>;
  };
  /** Status code to response; problem responses (4xx/5xx) are added by the OpenAPI generator. */
  responses: Record<number, ResponseDeclaration>;
  /** POST routes honour Idempotency-Key unless this is false. */
  idempotent?: boolean;
  /**
   * A user whose tenant requires MFA may call this route before enrolling (the MFA enrolment
   * routes and `GET /v1/me`); every other route answers 403 `mfa_required` to such a user.
   */
  mfaExempt?: boolean;
}

export interface QueueDeclaration {
  /** Logical name, e.g. `jobs`; infra names the physical queue. */
  name: string;
  /** Export of the context's entry that consumes the queue (an SQS event handler). */
  consumer: string;
  batchSize: number;
  /** Receives before a message moves to the queue's DLQ. */
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  maxBatchingWindowSeconds?: number;
}

export interface StreamConsumerDeclaration {
  /** Export of the context's entry that consumes DynamoDB stream records of the main table. */
  consumer: string;
  batchSize: number;
  /** Only records whose new image has this entity name (ElectroDB `__edb_e__`) reach the consumer. */
  entity: string;
  eventNames: Array<'INSERT' | 'MODIFY' | 'REMOVE'>;
  maxRetryAttempts: number;
}

/** An EventBridge pattern, in AWS's own pattern language. */
export type EventPattern = Record<string, unknown>;

export interface RuleDeclaration {
  name: string;
  description: string;
  pattern: EventPattern;
  /** Where matching events go: a queue declared by any context, or an export of this context's entry. */
  target: { queue: string } | { consumer: string };
}

export interface ScheduleDeclaration {
  name: string;
  /** `rate(5 minutes)` or `cron(...)`, EventBridge Scheduler syntax. */
  expression: string;
  consumer: string;
}

/** A Cognito user pool Lambda trigger served by an export of the context's entry. */
export interface TriggerDeclaration {
  trigger:
    | 'preTokenGeneration'
    | 'preAuthentication'
    | 'postAuthentication'
    | 'customMessage'
    | 'defineAuthChallenge'
    | 'createAuthChallenge'
    | 'verifyAuthChallengeResponse';
  consumer: string;
}

/** What the context's function may touch; infra grants exactly this. */
export interface AccessDeclaration {
  table?: 'read' | 'readwrite';
  directory?: 'read' | 'readwrite';
  bus?: 'put';
  queues?: Array<{ name: string; access: 'send' | 'consume' }>;
  /**
   * Read these deployment keys (libs/config/keys.ts). Env per key: its variable (local, by value)
   * or `<variable>_ARN` (a Secrets Manager secret, AWS), e.g. CURSOR_KEYS or CURSOR_KEYS_ARN.
   */
  keys?: readonly DeploymentKey[];
  /**
   * Create and delete one-time EventBridge Scheduler schedules (in Plinth's schedule group) that send
   * to the queues this context may `send` to. Env: SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN and
   * `<QUEUE>_QUEUE_ARN` for each of those queues.
   */
  scheduler?: boolean;
  /** Send email through SES v2 from the deployment's `mailFrom`. Env: MAIL_FROM. */
  mail?: boolean;
  /**
   * The region's Cognito user pool: `read` to verify tokens, `admin` also for Admin* user operations.
   * Env: USER_POOL_ID, USER_POOL_CLIENT_IDS (comma-separated app client ids).
   */
  userPool?: 'read' | 'admin';
  /**
   * Manage the bus rules that forward a tenant's events to an event bus in the tenant's own AWS
   * account (rules named `<deployment>-dest-*`). Env: EVENT_DESTINATION_ROLE_ARN.
   */
  eventDestinations?: boolean;
}

export interface ContextManifest {
  /** Short name, e.g. `tenants`; also names the Lambda function. */
  name: string;
  description: string;
  /** Entry module, relative to the repository root, e.g. `functions/tenants/handler.ts`. */
  entry: string;
  /**
   * Entry modules of exports kept out of `entry`, by export name: queue consumers in a module of
   * their own, so the API's bundle neither carries nor starts them.
   * @default every export is in `entry`
   */
  entries?: Readonly<Record<string, string>>;
  /** Export of the entry that serves the routes (an API Gateway REST proxy handler). */
  apiHandler?: string;
  routes: RouteDeclaration[];
  queues?: QueueDeclaration[];
  streams?: StreamConsumerDeclaration[];
  rules?: RuleDeclaration[];
  schedules?: ScheduleDeclaration[];
  /** Cognito user pool triggers; on one machine the local identity issuer invokes the same exports. */
  triggers?: TriggerDeclaration[];
  access: AccessDeclaration;
  /**
   * The variables its handlers parse at cold start. Infra tests parse the environment each stack
   * gives the context's functions with it, so a forgotten access fails a test, not a deploy.
   * A function of the export's name where its exports parse different variables.
   * @default - the runtime environment every function parses (libs/config/runtime.ts)
   */
  environment?: z.core.$ZodType | ((exportName: string) => z.core.$ZodType);
  /** Memory in MB; default 512. */
  memorySize?: number;
  /** Timeout in seconds; default 29 for API functions. */
  timeoutSeconds?: number;
}

/** Keeps the zod types of a route declaration for the implementation's input. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  route: RouteDeclaration<P, Q, B>,
): RouteDeclaration<P, Q, B> {
  return route;
}

export function defineContext(manifest: ContextManifest): ContextManifest {
  return manifest;
}

/** The module that exports `exportName` of a context. */
export function entryOf(manifest: Pick<ContextManifest, 'entry' | 'entries'>, exportName: string): string {
  return manifest.entries?.[exportName] ?? manifest.entry;
}

/** Every entry module of a context, its main entry first. */
export function entriesOf(manifest: Pick<ContextManifest, 'entry' | 'entries'>): string[] {
  return [...new Set([manifest.entry, ...Object.values(manifest.entries ?? {})])];
}
