// EventBridge Scheduler's cron(...) expressions: checked field by field as EventBridge checks them,
// so the topology refuses what a deploy would, and translated to croner's pattern for the local
// scheduler. EventBridge's six fields are minutes, hours, day-of-month, month, day-of-week (1-7 =
// SUN-SAT, where croner counts 0-6) and year; one of the two day fields is `?`; times are UTC.
import { Cron } from 'croner';

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Names for min, min + 1, … (JAN-DEC, SUN-SAT). */
  names?: readonly string[];
  /** Whether `/` steps are allowed: not in day-of-week. */
  steps: boolean;
}

const minutes: FieldSpec = { name: 'minutes', min: 0, max: 59, steps: true };
const hours: FieldSpec = { name: 'hours', min: 0, max: 23, steps: true };
const dayOfMonth: FieldSpec = { name: 'day-of-month', min: 1, max: 31, steps: true };
const month: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  steps: true,
};
const dayOfWeek: FieldSpec = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  steps: false,
};
const year: FieldSpec = { name: 'year', min: 1970, max: 2199, steps: true };

const cronerOptions = { mode: '7-part', timezone: 'UTC', domAndDow: true } as const;

export class CronExpressionError extends Error {
  override name = 'CronExpressionError';
}

function refuse(expression: string, why: string): never {
  throw new CronExpressionError(`${expression} is not a cron expression EventBridge accepts: ${why}`);
}

function valueOf(token: string, spec: FieldSpec, expression: string): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return spec.min + named;
  if (!/^\d+$/.test(token)) refuse(expression, `"${token}" is not a value of ${spec.name}`);
  const value = Number(token);
  if (value < spec.min || value > spec.max) {
    refuse(expression, `${spec.name} takes ${spec.min}-${spec.max}, not ${token}`);
  }
  return value;
}

/** The values a list of `*`, `a`, `a-b` (wrapping past the end when a > b) and `x/step` parts selects. */
function valuesOf(field: string, spec: FieldSpec, expression: string): number[] {
  const selected = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined || range === '') refuse(expression, `"${part}" in ${spec.name}`);
    if (step !== undefined && !spec.steps) refuse(expression, `${spec.name} takes no "/"`);
    const every = step === undefined ? 1 : Number(step);
    if (!Number.isInteger(every) || every < 1) refuse(expression, `"/${step}" in ${spec.name}`);
    let from = spec.min;
    let to = spec.max;
    if (range !== '*') {
      const [first = '', last, more] = range.split('-');
      if (more !== undefined) refuse(expression, `"${range}" in ${spec.name}`);
      from = valueOf(first, spec, expression);
      // `a/step` runs from a to the end of the field.
      to = last !== undefined ? valueOf(last, spec, expression) : step !== undefined ? spec.max : from;
    }
    const span = to >= from ? to - from : to - from + (spec.max - spec.min + 1);
    for (let offset = 0; offset <= span; offset += every) {
      selected.add(spec.min + ((from - spec.min + offset) % (spec.max - spec.min + 1)));
    }
  }
  return [...selected].sort((a, b) => a - b);
}

function listOf(field: string, spec: FieldSpec, expression: string, shift = 0): string {
  if (field === '*') return '*';
  return valuesOf(field, spec, expression)
    .map((v) => v + shift)
    .join(',');
}

function dayOfMonthPattern(field: string, expression: string): string {
  if (field === '?') return '*';
  if (field === 'L' || field === 'LW') return field;
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) return `${valueOf(weekday[1]!, dayOfMonth, expression)}W`;
  if (/[LW]/.test(field)) refuse(expression, `"${field}" in day-of-month: L and W stand alone`);
  return listOf(field, dayOfMonth, expression);
}

/** Croner's day-of-week counts 0-6 from Sunday; EventBridge's 1-7. */
function dayOfWeekPattern(field: string, expression: string): string {
  if (field === '?') return '*';
  // `L` alone is the last day of the week, Saturday.
  if (field === 'L') return '6';
  const last = /^(\w+)L$/.exec(field);
  if (last) return `${valueOf(last[1]!, dayOfWeek, expression) - 1}#L`;
  const nth = /^(\w+)#(\d+)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) refuse(expression, `"${field}": a month has at most 5 of a weekday`);
    return `${valueOf(nth[1]!, dayOfWeek, expression) - 1}#${n}`;
  }
  if (field.includes('#')) refuse(expression, `"${field}": with # the day-of-week field has one expression`);
  if (field.includes('L')) refuse(expression, `"${field}" in day-of-week`);
  return listOf(field, dayOfWeek, expression, -1);
}

/**
 * The schedule of an EventBridge `cron(...)` as croner's seven-field pattern (seconds first, in
 * UTC); throws CronExpressionError for an expression EventBridge refuses.
 */
export function parseCron(expression: string): Cron {
  const body = /^cron\((.*)\)$/.exec(expression.trim())?.[1];
  if (body === undefined) refuse(expression, 'it is not cron(...)');
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    refuse(
      expression,
      `it has ${fields.length} fields; cron(minutes hours day-of-month month day-of-week year) has 6`,
    );
  }
  const [min, hour, dom, mon, dow, yr] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    refuse(expression, 'one of day-of-month and day-of-week must be ?, and only one');
  }
  const pattern = [
    '0',
    listOf(min, minutes, expression),
    listOf(hour, hours, expression),
    dayOfMonthPattern(dom, expression),
    listOf(mon, month, expression),
    dayOfWeekPattern(dow, expression),
    listOf(yr, year, expression),
  ].join(' ');
  try {
    return new Cron(pattern, cronerOptions);
  } catch (error) {
    return refuse(expression, error instanceof Error ? error.message : String(error));
  }
}
