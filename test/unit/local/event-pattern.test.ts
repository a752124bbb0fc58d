// The local bus must route exactly as EventBridge does; these cases follow the operators and the
// examples of AWS's "Creating event patterns" and "Content filtering" pages.
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  type EventPattern,
} from '../../../infra/local/event-pattern.ts';

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

function detail(fields: Record<string, unknown>): Record<string, unknown> {
  return { ...ec2Event, detail: fields };
}

type Case = [name: string, pattern: EventPattern, event: unknown, expected: boolean];

function table(cases: Case[]): void {
  it.each(cases)('%s', (_name, pattern, event, expected) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });
}

describe('exact values, nesting and arrays', () => {
  table([
    [
      'source, detail-type and a nested detail field all match',
      {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['terminated'] },
      },
      ec2Event,
      true,
    ],
    ['one nested field differs', { source: ['aws.ec2'], detail: { state: ['running'] } }, ec2Event, false],
    ['values of a field are ORed', { source: ['aws.fargate', 'aws.ec2'] }, ec2Event, true],
    ['a field missing from the event never matches a value', { detail: { 'c-count': [5] } }, ec2Event, false],
    ['matching is case-sensitive', { source: ['AWS.EC2'] }, ec2Event, false],
    [
      'an event array matches when it intersects the pattern values',
      {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        ],
      },
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      true,
    ],
    [
      'an event array without a common value',
      { resources: ['arn:x'] },
      { resources: ['arn:y', 'arn:z'] },
      false,
    ],
    [
      'numbers match numerically, 3.018e2 equals 301.8',
      { detail: { 'x-limit': [3.018e2] } },
      detail({ 'x-limit': 301.8 }),
      true,
    ],
    ['a string never equals a number', { detail: { 'x-limit': ['123'] } }, detail({ 'x-limit': 123 }), false],
    ['booleans match booleans', { detail: { enabled: [true] } }, detail({ enabled: true }), true],
    [
      'an empty string matches an empty string',
      { detail: { eventVersion: [''] } },
      detail({ eventVersion: '' }),
      true,
    ],
    ['null matches null', { detail: { responseElements: [null] } }, detail({ responseElements: null }), true],
    [
      'an empty string pattern does not match null',
      { detail: { responseElements: [''] } },
      detail({ responseElements: null }),
      false,
    ],
    ['null does not match a missing field', { detail: { responseElements: [null] } }, detail({}), false],
    ['a pattern value does not match an object in the event', { detail: ['x'] }, ec2Event, false],
    [
      'an array of objects matches when one element matches the whole nested pattern',
      { detail: { items: { name: ['b'], size: [2] } } },
      detail({
        items: [
          { name: 'a', size: 2 },
          { name: 'b', size: 2 },
        ],
      }),
      true,
    ],
    [
      'fields of a nested pattern must come from the same array element',
      { detail: { items: { name: ['a'], size: [3] } } },
      detail({
        items: [
          { name: 'a', size: 2 },
          { name: 'b', size: 3 },
        ],
      }),
      false,
    ],
  ]);
});

describe('prefix, suffix, equals-ignore-case and wildcard', () => {
  table([
    ['prefix on the time field', { time: [{ prefix: '2017-12-22' }] }, ec2Event, true],
    ['prefix that does not start the value', { time: [{ prefix: '2017-10-02' }] }, ec2Event, false],
    ['prefix ignores numbers', { detail: { n: [{ prefix: '12' }] } }, detail({ n: 123 }), false],
    [
      'prefix with equals-ignore-case',
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      detail({ service: 'eventbridge' }),
      true,
    ],
    [
      'prefix with equals-ignore-case still needs the prefix',
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      detail({ service: 'sqs' }),
      false,
    ],
    [
      'suffix on a file name',
      { detail: { FileName: [{ suffix: '.png' }] } },
      detail({ FileName: 'image.png' }),
      true,
    ],
    [
      'suffix is case-sensitive',
      { detail: { FileName: [{ suffix: '.png' }] } },
      detail({ FileName: 'image.PNG' }),
      false,
    ],
    [
      'suffix with equals-ignore-case',
      { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      detail({ FileName: 'image.PNG' }),
      true,
    ],
    [
      'equals-ignore-case',
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      ec2Event,
      true,
    ],
    ['equals-ignore-case is still equality', { source: [{ 'equals-ignore-case': 'aws' }] }, ec2Event, false],
    [
      'wildcard in the middle',
      { detail: { Filename: [{ wildcard: 'dir/*.png' }] } },
      detail({ Filename: 'dir/a/b.png' }),
      true,
    ],
    [
      'wildcard that does not fit',
      { detail: { Filename: [{ wildcard: 'dir/*.png' }] } },
      detail({ Filename: 'other/a.png' }),
      false,
    ],
    [
      'several wildcards in an ARN',
      { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
      detail({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' }),
      true,
    ],
    ['a star matches nothing at all', { detail: { f: [{ wildcard: 'a*b' }] } }, detail({ f: 'ab' }), true],
    [
      'an escaped star is a literal star',
      { detail: { f: [{ wildcard: 'a\\*b' }] } },
      detail({ f: 'a*b' }),
      true,
    ],
    [
      'an escaped star does not match other text',
      { detail: { f: [{ wildcard: 'a\\*b' }] } },
      detail({ f: 'axb' }),
      false,
    ],
    [
      'regular expression characters are literal',
      { detail: { f: [{ wildcard: 'a.c*' }] } },
      detail({ f: 'abc' }),
      false,
    ],
  ]);
});

describe('anything-but', () => {
  table([
    [
      'a string',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      detail({ state: 'running' }),
      true,
    ],
    [
      'the excluded string',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      detail({ state: 'initializing' }),
      false,
    ],
    ['a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, detail({ 'x-limit': 124 }), true],
    [
      'the excluded number',
      { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      detail({ 'x-limit': 123 }),
      false,
    ],
    [
      'a list of strings',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      detail({ state: 'overloaded' }),
      false,
    ],
    [
      'a list of numbers',
      { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      detail({ 'x-limit': 150 }),
      true,
    ],
    [
      'a missing field is not "anything"',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      detail({}),
      false,
    ],
    [
      'a prefix',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      detail({ state: 'initializing' }),
      false,
    ],
    [
      'a value without the prefix',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      detail({ state: 'running' }),
      true,
    ],
    [
      'a suffix',
      { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
      detail({ FileName: 'notes.txt' }),
      false,
    ],
    [
      'a value without the suffix',
      { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
      detail({ FileName: 'a.png' }),
      true,
    ],
    [
      'equals-ignore-case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
      detail({ state: 'INITIALIZING' }),
      false,
    ],
    [
      'a list with equals-ignore-case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } },
      detail({ state: 'Running' }),
      true,
    ],
    [
      'a wildcard',
      { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
      detail({ FilePath: 'src/lib/a.ts' }),
      false,
    ],
    [
      'a list of wildcards',
      { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
      detail({ FilePath: 'src/app/a.ts' }),
      true,
    ],
    [
      'an event array with one allowed element',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      detail({ state: ['initializing', 'running'] }),
      true,
    ],
  ]);
});

describe('numeric', () => {
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  table([
    ['all three ranges hold', pattern, detail({ 'c-count': 5, 'd-count': 9.99, 'x-limit': 301.8 }), true],
    [
      'the lower bound is exclusive',
      pattern,
      detail({ 'c-count': 0, 'd-count': 1, 'x-limit': 301.8 }),
      false,
    ],
    [
      'the upper bound is exclusive',
      pattern,
      detail({ 'c-count': 1, 'd-count': 10, 'x-limit': 301.8 }),
      false,
    ],
    ['= is equality', pattern, detail({ 'c-count': 1, 'd-count': 1, 'x-limit': 301.9 }), false],
    ['>= includes its bound', { detail: { n: [{ numeric: ['>=', 1, '<', 2] }] } }, detail({ n: 1 }), true],
    [
      'numeric ignores numeric strings',
      { detail: { n: [{ numeric: ['>', 0] }] } },
      detail({ n: '5' }),
      false,
    ],
    ['negative numbers', { detail: { n: [{ numeric: ['<', 0] }] } }, detail({ n: -1e-6 }), true],
  ]);
});

describe('exists', () => {
  table([
    ['exists true on a present field', { detail: { state: [{ exists: true }] } }, ec2Event, true],
    ['exists true on a missing field', { detail: { 'c-count': [{ exists: true }] } }, ec2Event, false],
    ['exists false on a missing field', { detail: { 'c-count': [{ exists: false }] } }, ec2Event, true],
    ['exists false on a present field', { detail: { state: [{ exists: false }] } }, ec2Event, false],
    ['exists true counts null as present', { detail: { r: [{ exists: true }] } }, detail({ r: null }), true],
    [
      'exists false matches a field that is an object, not a leaf',
      { detail: { 'c-count': [{ exists: false }] } },
      detail({ 'c-count': { c1: 100 } }),
      true,
    ],
    [
      'exists true does not match an object field',
      { detail: { 'c-count': [{ exists: true }] } },
      detail({ 'c-count': { c1: 100 } }),
      false,
    ],
    [
      'exists false when the parent is missing',
      { detail: { a: { b: [{ exists: false }] } } },
      ec2Event,
      true,
    ],
  ]);
});

describe('cidr', () => {
  table([
    [
      'an IPv4 address in the range',
      { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      detail({ sourceIPAddress: '10.0.0.255' }),
      true,
    ],
    [
      'an IPv4 address outside it',
      { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      detail({ sourceIPAddress: '10.0.1.0' }),
      false,
    ],
    [
      'an IPv6 address in the range',
      { detail: { ip: [{ cidr: '2001:db8::/64' }] } },
      detail({ ip: '2001:db8::ff00:42:8329' }),
      true,
    ],
    [
      'an IPv6 address outside it',
      { detail: { ip: [{ cidr: '2001:db8::/64' }] } },
      detail({ ip: '2001:db8:0:1::1' }),
      false,
    ],
    [
      'an IPv4 address never matches an IPv6 range',
      { detail: { ip: [{ cidr: '::/0' }] } },
      detail({ ip: '10.0.0.1' }),
      false,
    ],
    [
      'a /0 range matches every IPv4 address',
      { detail: { ip: [{ cidr: '0.0.0.0/0' }] } },
      detail({ ip: '203.0.113.9' }),
      true,
    ],
    [
      'a single address without a mask',
      { detail: { ip: [{ cidr: '192.0.2.1' }] } },
      detail({ ip: '192.0.2.1' }),
      true,
    ],
    [
      'text that is not an address',
      { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
      detail({ ip: 'ten' }),
      false,
    ],
    [
      'an IPv4-mapped IPv6 address',
      { detail: { ip: [{ cidr: '::ffff:0:0/96' }] } },
      detail({ ip: '::ffff:192.0.2.1' }),
      true,
    ],
  ]);
});

describe('$or', () => {
  const inDetail = {
    detail: {
      $or: [
        { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
        { 'd-count': [{ numeric: ['<', 10] }] },
        { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      ],
    },
  };
  const topLevel = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  table([
    ['the first alternative', inDetail, detail({ 'c-count': 3 }), true],
    ['the last alternative', inDetail, detail({ 'x-limit': 301.8 }), true],
    ['no alternative', inDetail, detail({ 'c-count': 9, 'd-count': 11 }), false],
    [
      'top level: source and one alternative',
      topLevel,
      { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
      true,
    ],
    [
      'top level: alternatives without the source',
      topLevel,
      { source: 'aws.ec2', metricName: 'ReadLatency' },
      false,
    ],
    [
      'nested $or inside an alternative',
      { $or: [{ a: ['1'] }, { $or: [{ b: ['2'] }, { c: ['3'] }] }] },
      { c: '3' },
      true,
    ],
  ]);
});

describe('invalid patterns fail when compiled, as PutRule refuses them', () => {
  it.each<[string, unknown]>([
    ['an empty pattern', {}],
    ['a bare string value', { source: 'aws.ec2' }],
    ['an empty value list', { source: [] }],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['a numeric range written high to low', { n: [{ numeric: ['<', 5, '>', 1] }] }],
    ['a numeric bound that is a string', { n: [{ numeric: ['>', '1'] }] }],
    ['consecutive wildcards', { f: [{ wildcard: 'a**b' }] }],
    ['a bad cidr', { ip: [{ cidr: '10.0.0.0/33' }] }],
    ['exists with a string', { f: [{ exists: 'yes' }] }],
    ['anything-but with an unknown operator', { f: [{ 'anything-but': { contains: 'x' } }] }],
    ['anything-but with an empty list', { f: [{ 'anything-but': [] }] }],
  ])('%s', (_name, pattern) => {
    expect(() => compileEventPattern(pattern as EventPattern)).toThrow(InvalidEventPatternError);
  });
});
