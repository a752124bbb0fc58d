// EventBridge Scheduler's API on one machine, for one-time `at(...)` schedules whose target is a
// local queue (long webhook retries): CreateSchedule, GetSchedule, DeleteSchedule and ListSchedules
// in the service's REST-JSON protocol, so the SDK's SchedulerClient works unchanged through
// AWS_ENDPOINT_URL_SCHEDULER. Schedules persist in the data dir: one that falls due while the
// runtime is down sends its input right after the next start.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type * as z from 'zod';
import { localAccountId } from './environment.ts';
import type { LocalLog } from './log.ts';
import {
  createScheduleRequest,
  oneTimeDueAt,
  resourceName,
  ScheduleExpressionError,
  scheduleStateSchema,
  type StoredSchedule,
} from './one-time-schedule.ts';
import {
  closeServer,
  listenOnLoopback,
  readJsonRequest,
  replyError,
  replyJson,
  ServiceError,
} from './service-http.ts';
import { readJsonFile, writeJsonFile } from './state-files.ts';

export interface SchedulerApiOptions {
  region: string;
  /** Schedule groups that exist besides `default`. */
  groups: readonly string[];
  /** Keeps the schedules across restarts. */
  stateFile: string;
  /** The URL of a local queue, by its ARN; undefined for any other ARN. */
  queueUrl(arn: string): string | undefined;
  sendMessage(queueUrl: string, body: string): Promise<void>;
  log: LocalLog;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** How often due schedules are looked for; 0 never, for tests that call tick(). @default 1000 */
  tickMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export type { StoredSchedule } from './one-time-schedule.ts';

export interface LocalSchedulerApi {
  /** What AWS_ENDPOINT_URL_SCHEDULER points at. */
  endpoint: string;
  port: number;
  /** Sends the input of every schedule that is due now. */
  tick(): Promise<void>;
  /** The schedules that exist now (fired ones included, unless they were deleted after completion). */
  schedules(): readonly StoredSchedule[];
  stop(): Promise<void>;
}

const maxRequestBytes = 64 * 1024;
/** A queue that refused a message is tried again after this long. */
const resendAfterMs = 5000;

const key = (group: string, name: string) => `${group}/${name}`;
const epochSeconds = (millis: number) => millis / 1000;

function validationMessage(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
}

export async function startSchedulerApi(options: SchedulerApiOptions): Promise<LocalSchedulerApi> {
  const { log, region } = options;
  const now = options.now ?? Date.now;
  const groups = new Set(['default', ...options.groups]);
  const saved = readJsonFile(options.stateFile, scheduleStateSchema) ?? { schedules: [] };
  const schedules = new Map(saved.schedules.map((s) => [key(s.group, s.name), s]));
  const resendAt = new Map<string, number>();

  const persist = () => writeJsonFile(options.stateFile, { schedules: [...schedules.values()] });

  function groupOf(requested: string | null | undefined): string {
    const group = requested || 'default';
    if (!groups.has(group)) {
      throw new ServiceError('ResourceNotFoundException', `Schedule group ${group} does not exist.`, 404);
    }
    return group;
  }

  function existing(name: string, group: string): StoredSchedule {
    const schedule = schedules.get(key(group, name));
    if (!schedule)
      throw new ServiceError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return schedule;
  }

  function createSchedule(name: string, body: unknown): { ScheduleArn: string } {
    const parsed = createScheduleRequest.safeParse(body);
    if (!parsed.success) throw new ServiceError('ValidationException', validationMessage(parsed.error));
    const request = parsed.data;
    const group = groupOf(request.GroupName);
    const current = schedules.get(key(group, name));
    // The SDK sends a ClientToken and retries with the same one: a retry of a create that succeeded is no conflict.
    if (current) {
      if (request.ClientToken !== undefined && current.request.ClientToken === request.ClientToken) {
        return { ScheduleArn: current.arn };
      }
      throw new ServiceError('ConflictException', `Schedule ${name} already exists.`, 409);
    }
    let dueAt: number;
    try {
      dueAt = oneTimeDueAt(request.ScheduleExpression, request.ScheduleExpressionTimezone);
    } catch (error) {
      if (error instanceof ScheduleExpressionError)
        throw new ServiceError('ValidationException', error.message);
      throw error;
    }
    if (options.queueUrl(request.Target.Arn) === undefined) {
      throw new ServiceError(
        'ValidationException',
        `Target.Arn ${request.Target.Arn} is not a queue of the local runtime; only queue targets run on one machine.`,
      );
    }
    const arn = `arn:aws:scheduler:${region}:${localAccountId}:schedule/${group}/${name}`;
    schedules.set(key(group, name), { name, group, arn, request, createdAt: now(), dueAt });
    persist();
    return { ScheduleArn: arn };
  }

  function scheduleDescription(schedule: StoredSchedule): Record<string, unknown> {
    const { request } = schedule;
    return {
      Arn: schedule.arn,
      Name: schedule.name,
      GroupName: schedule.group,
      ScheduleExpression: request.ScheduleExpression,
      ScheduleExpressionTimezone: request.ScheduleExpressionTimezone,
      Description: request.Description,
      State: request.State ?? 'ENABLED',
      ActionAfterCompletion: request.ActionAfterCompletion ?? 'NONE',
      StartDate: request.StartDate,
      EndDate: request.EndDate,
      KmsKeyArn: request.KmsKeyArn,
      FlexibleTimeWindow: request.FlexibleTimeWindow,
      Target: request.Target,
      CreationDate: epochSeconds(schedule.createdAt),
      LastModificationDate: epochSeconds(schedule.createdAt),
    };
  }

  function listSchedules(query: URLSearchParams): { Schedules: unknown[] } {
    const group = query.get('ScheduleGroup');
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State');
    const found = [...schedules.values()].filter(
      (s) =>
        (!group || s.group === group) &&
        s.name.startsWith(prefix) &&
        (!state || (s.request.State ?? 'ENABLED') === state),
    );
    return {
      Schedules: found.map((s) => ({
        Arn: s.arn,
        Name: s.name,
        GroupName: s.group,
        State: s.request.State ?? 'ENABLED',
        CreationDate: epochSeconds(s.createdAt),
        LastModificationDate: epochSeconds(s.createdAt),
        Target: { Arn: s.request.Target.Arn },
      })),
    };
  }

  async function route(req: IncomingMessage, url: URL): Promise<unknown> {
    if (url.pathname === '/schedules' && req.method === 'GET') return listSchedules(url.searchParams);
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const name = decodeURIComponent(match[1]!);
      if (!resourceName.safeParse(name).success) {
        throw new ServiceError('ValidationException', `Name ${name} is not a valid schedule name.`);
      }
      if (req.method === 'POST') return createSchedule(name, await readJsonRequest(req, maxRequestBytes));
      if (req.method === 'GET')
        return scheduleDescription(existing(name, groupOf(url.searchParams.get('groupName'))));
      if (req.method === 'DELETE') {
        const group = groupOf(url.searchParams.get('groupName'));
        existing(name, group);
        schedules.delete(key(group, name));
        persist();
        return {};
      }
    }
    throw new ServiceError(
      'UnknownOperationException',
      `${req.method} ${url.pathname} is not supported by the local scheduler; CreateSchedule, GetSchedule, DeleteSchedule and ListSchedules are.`,
      404,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const result = await route(req, new URL(req.url ?? '/', 'http://localhost'));
      replyJson(res, 200, result);
    } catch (error) {
      req.resume();
      replyError(res, error, {
        messageField: 'Message',
        onInternal: (e) => log.error('the local scheduler failed a request', e),
      });
    }
  }

  async function fire(schedule: StoredSchedule): Promise<void> {
    const id = key(schedule.group, schedule.name);
    const queueUrl = options.queueUrl(schedule.request.Target.Arn);
    if (queueUrl === undefined) {
      log.error(
        `schedule ${id} targets ${schedule.request.Target.Arn}, which no longer exists; it is dropped`,
      );
    } else {
      try {
        await options.sendMessage(queueUrl, schedule.request.Target.Input ?? '{}');
      } catch (error) {
        resendAt.set(id, now() + resendAfterMs);
        log.warn(`schedule ${id} could not send to its queue; trying again shortly: ${String(error)}`);
        return;
      }
      log.info(`schedule ${id} sent its input to ${schedule.request.Target.Arn}`);
    }
    resendAt.delete(id);
    if (schedules.get(id) !== schedule) return;
    if (schedule.request.ActionAfterCompletion === 'DELETE') schedules.delete(id);
    else schedules.set(id, { ...schedule, firedAt: now() });
    persist();
  }

  async function fireDue(): Promise<void> {
    for (const [id, schedule] of [...schedules]) {
      const at = now();
      if (schedule.firedAt !== undefined || schedule.request.State === 'DISABLED') continue;
      if (schedule.dueAt > at || (resendAt.get(id) ?? 0) > at) continue;
      await fire(schedule);
    }
  }

  let running: Promise<void> = Promise.resolve();
  function tick(): Promise<void> {
    // Ticks queue behind each other, so one schedule is never sent twice by overlapping ticks.
    running = running.then(fireDue).catch((error: unknown) => log.error('the local scheduler failed', error));
    return running;
  }

  const server = createServer((req, res) => void handle(req, res));
  const port = await listenOnLoopback(server, options.port ?? 0);
  const tickMs = options.tickMs ?? 1000;
  const timer = tickMs > 0 ? setInterval(() => void tick(), tickMs) : undefined;
  // Schedules that fell due while the runtime was down go out now, not a tick later.
  if (tickMs > 0) void tick();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    tick,
    schedules: () => [...schedules.values()],
    async stop() {
      clearInterval(timer);
      await closeServer(server);
      await running;
    },
  };
}
