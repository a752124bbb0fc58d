// EventBridge event patterns, with the semantics AWS documents: fields are ANDed, the values of a
// field are ORed, event arrays match when any element does, and comparison operators apply to leaf
// values only. Patterns are compiled once, so a bad rule fails at start-up as PutRule would.
import { isIP } from 'node:net';

export type EventPattern = Record<string, unknown>;

type Leaf = string | number | boolean | null;

/** The leaf values found at one field of an event; `present` is false when there are none. */
interface Field {
  values: readonly Leaf[];
  present: boolean;
}

type ValueTest = (field: Field) => boolean;
type ObjectTest = (value: unknown) => boolean;

export class InvalidEventPatternError extends Error {
  constructor(path: string, reason: string) {
    super(`invalid event pattern at ${path || '(root)'}: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function fieldOf(value: unknown): Field {
  const values: Leaf[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isLeaf(v)) values.push(v);
  };
  collect(value);
  return { values, present: values.length > 0 };
}

const anyString =
  (test: (s: string) => boolean): ValueTest =>
  (field) =>
    field.values.some((v) => typeof v === 'string' && test(v));

function stringOperand(path: string, operator: string, operand: unknown): string {
  if (typeof operand !== 'string') throw new InvalidEventPatternError(path, `${operator} needs a string`);
  return operand;
}

/** `"abc"` or `{ "equals-ignore-case": "abc" }`, as prefix and suffix accept. */
function affixTest(
  path: string,
  operator: string,
  operand: unknown,
  test: (value: string, affix: string) => boolean,
) {
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      throw new InvalidEventPatternError(
        path,
        `${operator} accepts a string or { "equals-ignore-case": string }`,
      );
    }
    const affix = stringOperand(path, operator, operand['equals-ignore-case']).toLowerCase();
    return (value: string) => test(value.toLowerCase(), affix);
  }
  const affix = stringOperand(path, operator, operand);
  return (value: string) => test(value, affix);
}

/** `*` matches any run of characters; `\*` and `\\` are a literal star and backslash. */
export function wildcardRegExp(path: string, wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i]!;
    if (char === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\')
        throw new InvalidEventPatternError(path, `wildcard "${wildcard}" has a bad escape`);
      source += `\\${next}`;
      i++;
    } else if (char === '*') {
      if (wildcard[i + 1] === '*')
        throw new InvalidEventPatternError(path, `wildcard "${wildcard}" has consecutive stars`);
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function stringList(path: string, operator: string, operand: unknown): string[] {
  const list: unknown[] = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0 || !list.every((s): s is string => typeof s === 'string')) {
    throw new InvalidEventPatternError(path, `${operator} needs a string or a list of strings`);
  }
  return list;
}

function ipToBigInt(address: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(address);
  if (family === 4) {
    return {
      family,
      value: address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n),
    };
  }
  if (family !== 6) return undefined;
  let text = address.toLowerCase();
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embedded) {
    const v4 = ipToBigInt(embedded[1]!)!.value;
    text = text.slice(0, -embedded[1]!.length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { family, value: groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

function cidrTest(path: string, operand: unknown): ValueTest {
  const cidr = stringOperand(path, 'cidr', operand);
  const [address = '', bits] = cidr.split('/');
  const network = ipToBigInt(address);
  const width = network?.family === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : Number(bits);
  if (
    !network ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > width ||
    (bits !== undefined && !/^\d+$/.test(bits))
  ) {
    throw new InvalidEventPatternError(path, `cidr "${cidr}" is not an IPv4 or IPv6 address or range`);
  }
  const shift = BigInt(width - prefix);
  return anyString((value) => {
    const ip = ipToBigInt(value);
    return ip !== undefined && ip.family === network.family && ip.value >> shift === network.value >> shift;
  });
}

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** EventBridge compares numbers from -5.0e9 to 5.0e9 with at most six digits after the point. */
const numericLimit = 5e9;
const numericDecimals = 1e6;

function comparableNumber(path: string, value: number): number {
  if (
    !Number.isFinite(value) ||
    Math.abs(value) > numericLimit ||
    Math.round(value * numericDecimals) / numericDecimals !== value
  ) {
    throw new InvalidEventPatternError(
      path,
      `${value} is outside -5.0e9..5.0e9 or has more than 6 decimal places`,
    );
  }
  return value;
}

function numericTest(path: string, operand: unknown): ValueTest {
  const bad = () =>
    new InvalidEventPatternError(path, 'numeric needs ["op", number] or [">"|">=", low, "<"|"<=", high]');
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw bad();
  const checks: Array<(n: number) => boolean> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    const compare = typeof op === 'string' ? comparisons[op] : undefined;
    if (!compare || typeof bound !== 'number') throw bad();
    const limit = comparableNumber(path, bound);
    checks.push((n) => compare(n, limit));
  }
  if (operand.length === 4) {
    if (!['>', '>='].includes(operand[0] as string) || !['<', '<='].includes(operand[2] as string)) {
      throw bad();
    }
    if ((operand[1] as number) >= (operand[3] as number)) {
      throw new InvalidEventPatternError(path, 'a numeric range needs its low bound below its high bound');
    }
  }
  return (field) => field.values.some((v) => typeof v === 'number' && checks.every((check) => check(v)));
}

/**
 * anything-but: true for a present value that none of the excluded forms matches. Its prefix and
 * suffix take a non-empty string or a list of them, without equals-ignore-case (EventBridge refuses
 * both); a plain list holds only strings or only numbers.
 */
function anythingButTest(path: string, operand: unknown): ValueTest {
  let excluded: (value: Leaf) => boolean;
  if (isObject(operand)) {
    const entries = Object.entries(operand);
    const [operator, inner] = entries[0] ?? [];
    if (entries.length !== 1 || operator === undefined) {
      throw new InvalidEventPatternError(
        path,
        'anything-but takes one of prefix, suffix, equals-ignore-case, wildcard',
      );
    }
    let test: (s: string) => boolean;
    if (operator === 'prefix' || operator === 'suffix') {
      const affixes = stringList(path, `anything-but ${operator}`, inner);
      if (affixes.includes('')) {
        throw new InvalidEventPatternError(path, `anything-but ${operator} cannot be empty`);
      }
      test =
        operator === 'prefix'
          ? (v) => affixes.some((a) => v.startsWith(a))
          : (v) => affixes.some((a) => v.endsWith(a));
    } else if (operator === 'equals-ignore-case') {
      const set = new Set(stringList(path, operator, inner).map((s) => s.toLowerCase()));
      test = (v) => set.has(v.toLowerCase());
    } else if (operator === 'wildcard') {
      const patterns = stringList(path, operator, inner).map((w) => wildcardRegExp(path, w));
      test = (v) => patterns.some((p) => p.test(v));
    } else {
      throw new InvalidEventPatternError(path, `anything-but does not take "${operator}"`);
    }
    // A value of another type can never have the excluded form, so it is not excluded.
    excluded = (value) => typeof value === 'string' && test(value);
  } else {
    const list: unknown[] = Array.isArray(operand) ? operand : [operand];
    const strings = list.every((v) => typeof v === 'string');
    const numbers = list.every((v) => typeof v === 'number');
    if (list.length === 0 || !(strings || numbers)) {
      throw new InvalidEventPatternError(
        path,
        'anything-but needs a string, a number, or a list of only strings or only numbers',
      );
    }
    for (const n of list) if (typeof n === 'number') comparableNumber(path, n);
    excluded = (value) => list.some((v) => v === value);
  }
  return (field) => field.values.some((value) => !excluded(value));
}

function operatorTest(path: string, condition: Record<string, unknown>): ValueTest {
  const entries = Object.entries(condition);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined) {
    throw new InvalidEventPatternError(
      path,
      `a matcher object has exactly one operator, got ${JSON.stringify(condition)}`,
    );
  }
  switch (operator) {
    case 'prefix':
      return anyString(affixTest(path, operator, operand, (v, a) => v.startsWith(a)));
    case 'suffix':
      return anyString(affixTest(path, operator, operand, (v, a) => v.endsWith(a)));
    case 'equals-ignore-case': {
      const expected = stringOperand(path, operator, operand).toLowerCase();
      return anyString((v) => v.toLowerCase() === expected);
    }
    case 'wildcard': {
      const pattern = wildcardRegExp(path, stringOperand(path, operator, operand));
      return anyString((v) => pattern.test(v));
    }
    case 'anything-but':
      return anythingButTest(path, operand);
    case 'numeric':
      return numericTest(path, operand);
    case 'exists':
      if (typeof operand !== 'boolean')
        throw new InvalidEventPatternError(path, 'exists needs true or false');
      return (field) => field.present === operand;
    case 'cidr':
      return cidrTest(path, operand);
    default:
      throw new InvalidEventPatternError(path, `unknown operator "${operator}"`);
  }
}

function compileValues(path: string, conditions: unknown[]): ValueTest {
  if (conditions.length === 0)
    throw new InvalidEventPatternError(path, 'a field needs at least one value to match');
  const tests = conditions.map((condition): ValueTest => {
    if (isObject(condition)) return operatorTest(path, condition);
    if (!isLeaf(condition))
      throw new InvalidEventPatternError(path, `cannot match ${JSON.stringify(condition)}`);
    return (field) => field.values.some((v) => v === condition);
  });
  return (field) => tests.some((test) => test(field));
}

/** What one field of a pattern asks for, once its dotted keys are spelled out as nesting. */
interface FieldPattern {
  values?: unknown[];
  nested: Array<[string, unknown]>;
}

/**
 * EventBridge joins the keys of a pattern with dots when it compiles it, so `"state.status"` and
 * `{ "state": { "status": … } }` are one field, and two spellings of one object merge into it.
 */
function fieldPatterns(path: string, entries: Array<[string, unknown]>): Map<string, FieldPattern> {
  const fields = new Map<string, FieldPattern>();
  for (const [key, sub] of entries) {
    const [head = key, ...rest] = key.split('.');
    const field = fields.get(head) ?? { nested: [] };
    fields.set(head, field);
    if (rest.length > 0) field.nested.push([rest.join('.'), sub]);
    else if (Array.isArray(sub))
      field.values = sub; // a repeated field keeps its last list, as in EventBridge
    else if (isObject(sub) && Object.keys(sub).length > 0) field.nested.push(...Object.entries(sub));
    else {
      throw new InvalidEventPatternError(
        path ? `${path}.${key}` : key,
        isObject(sub)
          ? 'a nested pattern cannot be empty'
          : 'a field must hold an array of values or a nested pattern object',
      );
    }
  }
  return fields;
}

/**
 * A field of an event object. Event keys are joined with dots as pattern keys are, so an event key
 * `"state.status"` is the field `status` of the object `state`.
 */
function fieldValue(object: unknown, key: string): unknown {
  if (!isObject(object)) return undefined;
  const direct = object[key];
  const prefix = `${key}.`;
  const dotted = Object.keys(object).filter((k) => k.startsWith(prefix));
  if (dotted.length === 0) return direct;
  const nested = Object.fromEntries(dotted.map((k) => [k.slice(prefix.length), object[k]]));
  if (direct === undefined) return nested;
  if (isObject(direct)) return { ...direct, ...nested };
  return Array.isArray(direct) ? [...(direct as unknown[]), nested] : [direct, nested];
}

function compileOr(path: string, alternatives: unknown): ObjectTest {
  if (!Array.isArray(alternatives) || alternatives.length < 2 || !alternatives.every(isObject)) {
    throw new InvalidEventPatternError(path, '$or needs an array of at least two pattern objects');
  }
  const tests = alternatives.map((alternative) => compileObject(path, Object.entries(alternative)));
  return (object) => tests.some((test) => test(object));
}

function compileObject(path: string, entries: Array<[string, unknown]>): ObjectTest {
  if (entries.length === 0) throw new InvalidEventPatternError(path, 'a pattern object cannot be empty');
  const tests: ObjectTest[] = [];
  const fields = entries.filter(([key]) => key !== '$or');
  for (const [, alternatives] of entries.filter(([key]) => key === '$or')) {
    tests.push(compileOr(path, alternatives));
  }
  for (const [key, field] of fieldPatterns(path, fields)) {
    const at = path ? `${path}.${key}` : key;
    if (field.values) {
      const test = compileValues(at, field.values);
      tests.push((object) => test(fieldOf(fieldValue(object, key))));
    }
    if (field.nested.length > 0) {
      const test = compileObject(at, field.nested);
      tests.push((object) => matchNested(test, fieldValue(object, key)));
    }
  }
  return (object) => tests.every((test) => test(object));
}

/** An array of objects matches a nested pattern when one of its elements matches all of it. */
function matchNested(test: ObjectTest, value: unknown): boolean {
  if (Array.isArray(value) && value.length > 0) return value.some((element) => matchNested(test, element));
  return test(Array.isArray(value) ? undefined : value);
}

/** Compiles a pattern, throwing InvalidEventPatternError on anything EventBridge would refuse. */
export function compileEventPattern(pattern: EventPattern): (event: unknown) => boolean {
  if (!isObject(pattern)) throw new InvalidEventPatternError('', 'a pattern is a JSON object');
  const test = compileObject('', Object.entries(pattern));
  return (event) => test(event);
}

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
