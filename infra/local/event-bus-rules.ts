// The rules put on the local bus at run time through the EventBridge API (PutRule, PutTargets,
// RemoveTargets, DeleteRule, DescribeRule, ListRules, ListTargetsByRule): how the webhooks context
// forwards a tenant's events to an event bus in the tenant's own AWS account. There is no other
// account on one machine, so an event such a rule matches is appended to a log instead.
import { appendFile } from 'node:fs/promises';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { localAccountId } from './environment.ts';
import { compileEventPattern, InvalidEventPatternError } from './event-pattern.ts';
import { ServiceError } from './service-http.ts';
import { readJsonFile, writeJsonFile } from './state-files.ts';

export interface ForwardedEvent {
  /** The ARN of the event bus in the other account. */
  target: string;
  rule: string;
  event: EventBridgeEvent<string, unknown>;
}

export interface BusRulesOptions {
  busName: string;
  region: string;
  /** Keeps the rules across restarts. @default in memory only */
  rulesFile?: string;
  /** Every forwarded event is appended here as a JSON line. */
  forwardedEventsFile?: string;
}

export interface MatchedRule {
  id: string;
  deliver(event: EventBridgeEvent<string, unknown>): Promise<void>;
}

export interface BusRules {
  /** The rule-management operations by name (`PutRule`, …), each taking the request body. */
  operations: Readonly<Record<string, (body: Record<string, unknown>) => unknown>>;
  /** The enabled rules an event matches, with the delivery each makes. */
  matching(event: unknown): MatchedRule[];
  /** Events forwarded to other accounts' buses since start, oldest first. */
  forwarded(): readonly ForwardedEvent[];
}

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[.\-_A-Za-z0-9]+$/);
const target = z.object({
  Id: name,
  Arn: z.string().min(1).max(1600),
  RoleArn: z.string().optional(),
  // Kept as EventBridge keeps them; a forward here is written to a file and cannot fail, so neither acts.
  RetryPolicy: z
    .object({
      MaximumRetryAttempts: z.number().int().min(0).max(185).optional(),
      MaximumEventAgeInSeconds: z.number().int().min(60).max(86_400).optional(),
    })
    .strict()
    .optional(),
  DeadLetterConfig: z
    .object({ Arn: z.string().regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/) })
    .strict()
    .optional(),
});
const storedRule = z.object({
  name,
  eventPattern: z.string(),
  state: z.enum(['ENABLED', 'DISABLED']),
  description: z.string().optional(),
  roleArn: z.string().optional(),
  targets: z.array(target),
});
type StoredRule = z.infer<typeof storedRule>;
const stateSchema = z.object({ rules: z.array(storedRule) });

const putRuleRequest = z.object({
  Name: name,
  EventPattern: z.string().max(4096).optional(),
  ScheduleExpression: z.string().optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  Description: z.string().max(512).optional(),
  RoleArn: z.string().optional(),
});
const putTargetsRequest = z.object({
  Rule: name,
  Targets: z.array(target.passthrough()).min(1).max(10),
});
const removeTargetsRequest = z.object({ Rule: name, Ids: z.array(name).min(1).max(100) });
const ruleRequest = z.object({ Name: name });
const listRulesRequest = z.object({
  NamePrefix: z.string().optional(),
  NextToken: z.string().optional(),
  Limit: z.number().int().min(1).max(100).optional(),
});

/** An event bus ARN in an account other than the local one, the only target such rules may have here. */
const otherAccountBus = /^arn:aws[\w-]*:events:[a-z0-9-]+:(\d{12}):event-bus\/[\w.\-/]+$/;
/** EventBridge allows this many targets on one rule. */
const maxTargets = 5;

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
    throw new ServiceError('ValidationException', issues.join('; '));
  }
  return parsed.data;
}

export function createBusRules(options: BusRulesOptions): BusRules {
  const { busName, region } = options;
  const saved = options.rulesFile ? readJsonFile(options.rulesFile, stateSchema) : undefined;
  const rules = new Map<string, StoredRule>((saved?.rules ?? []).map((r) => [r.name, r]));
  const matchers = new Map(
    [...rules].map(([n, r]) => [
      n,
      compileEventPattern(JSON.parse(r.eventPattern) as Record<string, unknown>),
    ]),
  );
  const forwarded: ForwardedEvent[] = [];

  const arnOf = (rule: string) => `arn:aws:events:${region}:${localAccountId}:rule/${busName}/${rule}`;
  const persist = () => {
    if (options.rulesFile) writeJsonFile(options.rulesFile, { rules: [...rules.values()] });
  };

  /** Rules live on Plinth's bus only; an absent EventBusName means the default bus, which is not served here. */
  function checkBus(body: Record<string, unknown>): void {
    const bus =
      typeof body.EventBusName === 'string' && body.EventBusName !== '' ? body.EventBusName : 'default';
    if (bus !== busName && !bus.endsWith(`:event-bus/${busName}`)) {
      throw new ServiceError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    }
  }

  function existing(rule: string): StoredRule {
    const found = rules.get(rule);
    if (!found) {
      throw new ServiceError(
        'ResourceNotFoundException',
        `Rule ${rule} does not exist on EventBus ${busName}.`,
      );
    }
    return found;
  }

  function describe(rule: StoredRule): Record<string, unknown> {
    return {
      Name: rule.name,
      Arn: arnOf(rule.name),
      EventPattern: rule.eventPattern,
      State: rule.state,
      Description: rule.description,
      RoleArn: rule.roleArn,
      EventBusName: busName,
      CreatedBy: localAccountId,
    };
  }

  const operations: BusRules['operations'] = {
    PutRule(body) {
      checkBus(body);
      const request = parse(putRuleRequest, body);
      if (request.ScheduleExpression !== undefined) {
        throw new ServiceError(
          'ValidationException',
          'ScheduleExpression is supported only on the default event bus.',
        );
      }
      if (request.EventPattern === undefined) {
        throw new ServiceError(
          'ValidationException',
          'Parameter(s) EventPattern or ScheduleExpression must be specified.',
        );
      }
      let matcher: (event: unknown) => boolean;
      try {
        matcher = compileEventPattern(JSON.parse(request.EventPattern) as Record<string, unknown>);
      } catch (error) {
        const reason = error instanceof InvalidEventPatternError ? error.message : 'the pattern is not JSON';
        throw new ServiceError(
          'InvalidEventPatternException',
          `Event pattern is not valid. Reason: ${reason}`,
        );
      }
      rules.set(request.Name, {
        name: request.Name,
        eventPattern: request.EventPattern,
        state: request.State ?? 'ENABLED',
        description: request.Description,
        roleArn: request.RoleArn,
        targets: rules.get(request.Name)?.targets ?? [],
      });
      matchers.set(request.Name, matcher);
      persist();
      return { RuleArn: arnOf(request.Name) };
    },
    PutTargets(body) {
      checkBus(body);
      const request = parse(putTargetsRequest, body);
      const rule = existing(request.Rule);
      const targets = new Map(rule.targets.map((t) => [t.Id, t]));
      const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
      for (const { Id, Arn, RoleArn, RetryPolicy, DeadLetterConfig, ...rest } of request.Targets) {
        const account = otherAccountBus.exec(Arn)?.[1];
        if (account === undefined || account === localAccountId || Object.keys(rest).length > 0) {
          failed.push({
            TargetId: Id,
            ErrorCode: 'ValidationException',
            ErrorMessage: `${Arn}: on one machine a rule's targets can only be another account's event bus, without input settings (a retry policy and dead-letter queue are fine)`,
          });
        } else if (!targets.has(Id) && targets.size >= maxTargets) {
          failed.push({
            TargetId: Id,
            ErrorCode: 'LimitExceededException',
            ErrorMessage: 'Too many targets.',
          });
        } else {
          targets.set(Id, {
            Id,
            Arn,
            ...(RoleArn !== undefined ? { RoleArn } : {}),
            ...(RetryPolicy !== undefined ? { RetryPolicy } : {}),
            ...(DeadLetterConfig !== undefined ? { DeadLetterConfig } : {}),
          });
        }
      }
      rules.set(rule.name, { ...rule, targets: [...targets.values()] });
      persist();
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    RemoveTargets(body) {
      checkBus(body);
      const request = parse(removeTargetsRequest, body);
      const rule = existing(request.Rule);
      rules.set(rule.name, { ...rule, targets: rule.targets.filter((t) => !request.Ids.includes(t.Id)) });
      persist();
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    DeleteRule(body) {
      checkBus(body);
      const request = parse(ruleRequest, body);
      const rule = rules.get(request.Name);
      if (rule && rule.targets.length > 0) {
        throw new ServiceError('ValidationException', "Rule can't be deleted since it has targets.");
      }
      rules.delete(request.Name);
      matchers.delete(request.Name);
      persist();
      return {};
    },
    DescribeRule(body) {
      checkBus(body);
      return describe(existing(parse(ruleRequest, body).Name));
    },
    ListRules(body) {
      checkBus(body);
      const request = parse(listRulesRequest, body);
      const names = [...rules.keys()]
        .filter(
          (n) => n.startsWith(request.NamePrefix ?? '') && (!request.NextToken || n > request.NextToken),
        )
        .sort();
      const page = names.slice(0, request.Limit ?? 100);
      return {
        Rules: page.map((n) => describe(rules.get(n)!)),
        ...(page.length < names.length ? { NextToken: page.at(-1) } : {}),
      };
    },
    ListTargetsByRule(body) {
      checkBus(body);
      return { Targets: existing(parse(z.object({ Rule: name }), body).Rule).targets };
    },
  };

  async function forward(rule: string, targetArn: string, event: ForwardedEvent['event']): Promise<void> {
    const record: ForwardedEvent = { target: targetArn, rule, event };
    if (options.forwardedEventsFile) {
      await appendFile(options.forwardedEventsFile, `${JSON.stringify(record)}\n`);
    }
    forwarded.push(record);
  }

  return {
    operations,
    matching(event) {
      return [...rules.values()]
        .filter((rule) => rule.state === 'ENABLED' && matchers.get(rule.name)?.(event))
        .map((rule) => ({
          id: rule.name,
          async deliver(e: ForwardedEvent['event']) {
            for (const t of rule.targets) await forward(rule.name, t.Arn, e);
          },
        }));
    },
    forwarded: () => [...forwarded],
  };
}
