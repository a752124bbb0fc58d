// EventBridge on one machine: an HTTP endpoint that speaks PutEvents and the rule operations in the
// service's JSON protocol (so the SDK's EventBridgeClient works unchanged through
// AWS_ENDPOINT_URL_EVENTBRIDGE), the rules every context declares and those put at run time,
// matched with EventBridge's pattern semantics, and delivery to their targets: a declared queue, an
// export of the context's entry, or another account's bus (a log here). Delivery is asynchronous,
// as on AWS; `settled()` waits for it. A delivery that fails every attempt goes to the target's
// dead-letter queue with EventBridge's error attributes, as the stacks configure each target.
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import { localAccountId } from './environment.ts';
import { createBusRules, type ForwardedEvent } from './event-bus-rules.ts';
import { compileEventPattern } from './event-pattern.ts';
import type { FunctionHost, LocalFunction } from './functions.ts';
import type { LocalLog } from './log.ts';
import {
  closeServer,
  listenOnLoopback,
  readRequestBody,
  replyError,
  replyJson,
  ServiceError,
} from './service-http.ts';

export type { ForwardedEvent } from './event-bus-rules.ts';

export type BusEvent = EventBridgeEvent<string, unknown>;

export interface PublishedEvent {
  event: BusEvent;
  /** `<context>-<rule name>` of every rule the event matched. */
  rules: string[];
}

/** A rule target, by the declared queue's name or the function's id (`<context>-<export>`). */
export type DeadLetterTarget = { queue: string } | { function: string };

/** What EventBridge sends a target's dead-letter queue: the event, and why it was not delivered. */
export interface DeadLetter {
  body: string;
  /** ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN. */
  attributes: Record<string, string>;
}

export interface EventBusOptions {
  busName: string;
  region: string;
  contexts: readonly ContextManifest[];
  functions: FunctionHost;
  /** Sends a message to a declared queue, by its declared name. */
  sendToQueue(queue: string, body: string): Promise<void>;
  /** The ARN a rule target has, for the dead-letter attributes. */
  targetArn(target: DeadLetterTarget): string;
  /**
   * Sends an event that failed every attempt to the target's DLQ: a queue's own DLQ, the
   * delivery-failures queue for a function, as the stacks set each rule target's DeadLetterConfig.
   */
  sendToDeadLetterQueue(target: DeadLetterTarget, message: DeadLetter): Promise<void>;
  log: LocalLog;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Every event is appended here as a JSON line, for the developer to read. */
  eventsLogFile?: string;
  /** Keeps the rules put through the API (PutRule, PutTargets) across restarts. @default in memory only */
  rulesFile?: string;
  /** Events forwarded to another account's bus are appended here as JSON lines. */
  forwardedEventsFile?: string;
  /** How many recent events `events()` keeps. @default 1000 */
  keep?: number;
  /** Attempts per target before a delivery goes to its dead-letter queue. @default 3 */
  deliveryAttempts?: number;
}

export interface LocalEventBus {
  endpoint: string;
  port: number;
  events(): readonly PublishedEvent[];
  /** Events that rules put through the API forwarded to another account's event bus, oldest first. */
  forwarded(): readonly ForwardedEvent[];
  /** Resolves once every delivery started so far has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

interface Rule {
  id: string;
  matches: (event: unknown) => boolean;
  deliver: (event: BusEvent) => Promise<void>;
  /** Where a delivery that failed every attempt goes; rules put through the API have none. */
  deadLetter?: DeadLetterTarget;
}

type Delivery = Pick<Rule, 'id' | 'deliver' | 'deadLetter'>;

interface EntryResult {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** PutEvents takes at most 10 entries and 256 KB a call. */
const maxEntries = 10;
const maxRequestBytes = 256 * 1024;
const jsonProtocol = 'application/x-amz-json-1.1';

/**
 * SQS refuses a message holding U+FFFE or U+FFFF (InvalidMessageContents), and JSON.stringify
 * leaves both as they are; written as JSON escapes, the body still parses to the same event, so a
 * dead letter can always be sent.
 */
const refusedBySqs = /[\uFFFE\uFFFF]/g;
const escapeForSqs = (text: string): string =>
  text.replace(refusedBySqs, (char) => `\\u${char.charCodeAt(0).toString(16)}`);

/** The DLQ message EventBridge sends when a target still fails after its retries. */
export function deadLetterFor(
  event: BusEvent,
  failure: { ruleArn: string; targetArn: string; attempts: number; error: unknown },
): DeadLetter {
  const { error } = failure;
  // AWS SDK errors carry the service's own code (e.g. AWS.SimpleQueueService.InvalidMessageContents).
  const sdkCode = (error as { code?: unknown } | null)?.code;
  const code = typeof sdkCode === 'string' ? sdkCode : error instanceof Error ? error.name : 'Error';
  return {
    body: escapeForSqs(JSON.stringify(event)),
    attributes: {
      ERROR_CODE: escapeForSqs(code),
      ERROR_MESSAGE: escapeForSqs(error instanceof Error ? error.message : String(error)),
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
      RETRY_ATTEMPTS: String(failure.attempts - 1),
      RULE_ARN: failure.ruleArn,
      TARGET_ARN: failure.targetArn,
    },
  };
}

/** EventBridge's `time`: ISO 8601 to the second. */
function eventTime(time: unknown): string {
  const at =
    typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date();
  return (Number.isNaN(at.getTime()) ? new Date() : at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function startEventBus(options: EventBusOptions): Promise<LocalEventBus> {
  const { log, busName, region } = options;
  const keep = options.keep ?? 1000;
  const attempts = options.deliveryAttempts ?? 3;
  const published: PublishedEvent[] = [];
  const pending = new Set<Promise<void>>();
  const stopping = new AbortController();
  let eventsLog: Promise<void> = Promise.resolve();
  const putRules = createBusRules({
    busName,
    region,
    rulesFile: options.rulesFile,
    forwardedEventsFile: options.forwardedEventsFile,
  });

  const ruleArn = (rule: string) => `arn:aws:events:${region}:${localAccountId}:rule/${busName}/${rule}`;

  async function park(rule: Delivery, event: BusEvent, attempts: number, error: unknown): Promise<void> {
    if (!rule.deadLetter) {
      log.error(`event delivery for ${rule.id} failed after ${attempts} attempts`, error);
      return;
    }
    const message = deadLetterFor(event, {
      ruleArn: ruleArn(rule.id),
      targetArn: options.targetArn(rule.deadLetter),
      attempts,
      error,
    });
    try {
      await options.sendToDeadLetterQueue(rule.deadLetter, message);
      log.warn(
        `event ${event.id} for ${rule.id} failed ${attempts} times and is in its DLQ: ${message.attributes.ERROR_MESSAGE}`,
      );
    } catch (dlqError) {
      // The last place left: the event itself in the log, so it can still be replayed by hand.
      log.error(`event delivery for ${rule.id} failed and its DLQ refused it too: ${message.body}`, dlqError);
    }
  }

  async function deliverWithRetries(rule: Delivery, event: BusEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await rule.deliver(event);
      } catch (error) {
        if (attempt >= attempts || stopping.signal.aborted) return park(rule, event, attempt, error);
        await sleep(500 * attempt, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  const declaredRules: Rule[] = options.contexts.flatMap((context) =>
    (context.rules ?? []).map((declaration): Rule => {
      const id = `${context.name}-${declaration.name}`;
      const matches = compileEventPattern(declaration.pattern);
      const target = declaration.target;
      if ('queue' in target) {
        return {
          id,
          matches,
          deliver: (event) => options.sendToQueue(target.queue, JSON.stringify(event)),
          deadLetter: { queue: target.queue },
        };
      }
      const fn: LocalFunction = options.functions.forContext(context, target.consumer);
      return {
        id,
        matches,
        deliver: async (event) => void (await fn.invoke(event)),
        deadLetter: { function: fn.id },
      };
    }),
  );

  function track(work: Promise<void>): void {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  function publish(entry: Record<string, unknown>): EntryResult {
    const bus =
      typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default';
    if (bus !== busName && !bus.endsWith(`:event-bus/${busName}`)) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    for (const field of ['Source', 'DetailType', 'Detail']) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        };
      }
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: localAccountId,
      time: eventTime(entry.Time),
      region,
      resources: Array.isArray(entry.Resources)
        ? entry.Resources.filter((r): r is string => typeof r === 'string')
        : [],
      detail,
    };
    const matched = [...declaredRules.filter((rule) => rule.matches(event)), ...putRules.matching(event)];
    published.push({ event, rules: matched.map((r) => r.id) });
    if (published.length > keep) published.splice(0, published.length - keep);
    if (options.eventsLogFile) {
      const line = `${JSON.stringify({ event, rules: matched.map((r) => r.id) })}\n`;
      const file = options.eventsLogFile;
      eventsLog = eventsLog
        .then(() => appendFile(file, line))
        .catch((error: unknown) => log.warn(`could not append to ${file}: ${String(error)}`));
    }
    log.info(
      `event ${event['detail-type']} from ${event.source} → ${matched.length === 0 ? 'no rule' : matched.map((r) => r.id).join(', ')}`,
    );
    for (const rule of matched) track(deliverWithRetries(rule, event));
    return { EventId: event.id };
  }

  function putEvents(body: unknown): { FailedEntryCount: number; Entries: EntryResult[] } {
    const entries = (body as { Entries?: unknown } | null)?.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > maxEntries) {
      throw new ServiceError('ValidationException', `Entries must hold between 1 and ${maxEntries} entries.`);
    }
    const results = entries.map((entry) =>
      typeof entry === 'object' && entry !== null
        ? publish(entry as Record<string, unknown>)
        : { ErrorCode: 'InvalidArgument', ErrorMessage: 'An entry must be an object.' },
    );
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const target = String(req.headers['x-amz-target']);
      const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
      const answer =
        operation === 'PutEvents'
          ? putEvents
          : Object.hasOwn(putRules.operations, operation)
            ? putRules.operations[operation]
            : undefined;
      if (req.method !== 'POST' || !answer) {
        throw new ServiceError(
          'UnknownOperationException',
          `${target} is not supported by the local event bus; PutEvents and ${Object.keys(putRules.operations).join(', ')} are.`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse((await readRequestBody(req, maxRequestBytes)).toString('utf8'));
      } catch (error) {
        if (error instanceof ServiceError) throw error;
        throw new ServiceError('SerializationException', 'The request body is not JSON.');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ServiceError('SerializationException', 'The request body is not a JSON object.');
      }
      replyJson(res, 200, answer(body as Record<string, unknown>), { 'content-type': jsonProtocol });
    } catch (error) {
      req.resume();
      replyError(res, error, {
        messageField: 'message',
        contentType: jsonProtocol,
        onInternal: (e) => log.error('the local event bus failed a request', e),
      });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  const port = await listenOnLoopback(server, options.port ?? 0);

  async function settled(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
    await eventsLog;
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    events: () => [...published],
    forwarded: () => putRules.forwarded(),
    settled,
    async stop() {
      await closeServer(server);
      stopping.abort();
      await settled();
    },
  };
}
