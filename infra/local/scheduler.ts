// EventBridge Scheduler on one machine, for `schedules` declarations with rate(...) and cron(...)
// expressions (cron in UTC, as the stacks deploy them): each schedule's next run persists in the
// data dir, so a restart keeps the cadence, and runs missed while the runtime was down collapse into
// one. at(...) is reported and skipped.
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { parseCron } from '../cron-expression.ts';
import type { ContextManifest } from '../../libs/manifest/types.ts';
import { localAccountId } from './environment.ts';
import type { FunctionHost, LocalFunction } from './functions.ts';
import type { LocalLog } from './log.ts';
import { readJsonFile, writeJsonFile } from './state-files.ts';

export interface SchedulerOptions {
  contexts: readonly ContextManifest[];
  functions: FunctionHost;
  region: string;
  /** Keeps each schedule's expression and next run across restarts. */
  stateFile: string;
  log: LocalLog;
  /** @default Date.now */
  now?: () => number;
  /** How often due schedules are looked for; 0 never, for tests that call tick(). @default 1000 */
  tickMs?: number;
}

export interface LocalScheduler {
  /** Runs every schedule that is due now. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const units: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** `rate(5 minutes)` → 300000; undefined for anything that is not a valid rate expression. */
export function rateMillis(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2]!.replace(/s$/, '');
  // AWS wants the singular with 1 and the plural otherwise.
  if (value < 1 || (value === 1) !== (match[2] === unit)) return undefined;
  return value * units[unit]!;
}

const stateSchema = z.record(
  z.string(),
  z.object({ expression: z.string(), nextRunAt: z.number(), lastRunAt: z.number().optional() }),
);

interface Schedule {
  id: string;
  expression: string;
  /** The first run after `now`; undefined when there is none. */
  first(now: number): number | undefined;
  /** The run after the one due at `due` that ran at `at`: missed runs in between are skipped. */
  following(due: number, at: number): number | undefined;
  fn: LocalFunction;
}

type Cadence = Pick<Schedule, 'first' | 'following'>;

/** How a rate(...) or cron(...) expression repeats; undefined for any other expression. */
function cadenceOf(expression: string): Cadence | undefined {
  const interval = rateMillis(expression);
  if (interval !== undefined) {
    return {
      first: (now) => now + interval,
      following: (due, at) => due + (Math.floor((at - due) / interval) + 1) * interval,
    };
  }
  if (!expression.trim().startsWith('cron(')) return undefined;
  // The topology refused an expression EventBridge would, so this parses.
  const cron = parseCron(expression);
  const next = (after: number) => cron.nextRun(new Date(after))?.getTime();
  return { first: next, following: (_due, at) => next(at) };
}

export function startScheduler(options: SchedulerOptions): LocalScheduler {
  const now = options.now ?? Date.now;
  const { log, region } = options;
  const state = readJsonFile(options.stateFile, stateSchema) ?? {};
  const schedules: Schedule[] = [];

  for (const context of options.contexts) {
    for (const declaration of context.schedules ?? []) {
      const id = `${context.name}-${declaration.name}`;
      const cadence = cadenceOf(declaration.expression);
      if (cadence === undefined) {
        log.warn(
          `schedule ${id} (${declaration.expression}) is not run locally: only rate(...) and cron(...) expressions are`,
        );
        continue;
      }
      const saved = state[id];
      if (!saved || saved.expression !== declaration.expression) {
        const nextRunAt = cadence.first(now());
        if (nextRunAt === undefined) {
          log.warn(`schedule ${id} (${declaration.expression}) never runs again`);
          delete state[id];
          continue;
        }
        state[id] = { expression: declaration.expression, nextRunAt };
      }
      schedules.push({
        id,
        expression: declaration.expression,
        ...cadence,
        fn: options.functions.forContext(context, declaration.consumer),
      });
    }
  }
  writeJsonFile(options.stateFile, state);

  let running: Promise<void> = Promise.resolve();

  async function runDue(): Promise<void> {
    for (const schedule of schedules) {
      const entry = state[schedule.id];
      const at = now();
      if (!entry || entry.nextRunAt > at) continue;
      const nextRunAt = schedule.following(entry.nextRunAt, at);
      if (nextRunAt === undefined) {
        log.info(`schedule ${schedule.id} ran for the last time`);
        delete state[schedule.id];
      } else {
        state[schedule.id] = { ...entry, lastRunAt: at, nextRunAt };
      }
      writeJsonFile(options.stateFile, state);
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.scheduler',
        account: localAccountId,
        time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region,
        resources: [`arn:aws:scheduler:${region}:${localAccountId}:schedule/default/${schedule.id}`],
        detail: {},
      };
      try {
        await schedule.fn.invoke(event);
        log.info(`schedule ${schedule.id} ran`);
      } catch (error) {
        log.error(`schedule ${schedule.id} failed`, error);
      }
    }
  }

  function tick(): Promise<void> {
    // Ticks queue behind each other, so a slow run is never started twice.
    running = running.then(runDue);
    return running;
  }

  const tickMs = options.tickMs ?? 1000;
  const timer = tickMs > 0 && schedules.length > 0 ? setInterval(() => void tick(), tickMs) : undefined;

  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
