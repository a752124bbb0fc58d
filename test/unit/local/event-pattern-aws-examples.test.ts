// Rules written against the local bus go to AWS unchanged, so the local matcher must agree with
// EventBridge on every documented example: the patterns and events of the EventBridge user guide
// ("Event patterns", "Content filtering", "Comparison operators", best-practice examples) and of
// AWS's own matcher's test cases (aws/event-ruler), matches and refusals alike.
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  InvalidEventPatternError,
  type EventPattern,
} from '../../../infra/local/event-pattern.ts';

const ec2 = {
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

/** The documentation's content-filtering example event, with its detail replaced. */
const withDetail = (detail: Record<string, unknown>) => ({ ...ec2, detail });

const s3Object = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: {
    bucket: { name: 'amzn-s3-demo-bucket' },
    object: { key: 'dir/file.png', size: 1024 },
    'source-ip-address': '10.0.0.5',
  },
};

/** [what the case shows, pattern, event, whether EventBridge matches]. */
type Match = [name: string, pattern: EventPattern, event: unknown, matches: boolean];

const matches: Match[] = [
  // Exact values, nesting, arrays.
  ['source list: the first value', { source: ['aws.ec2', 'aws.fargate'] }, ec2, true],
  ['source list: no value', { source: ['aws.s3', 'aws.fargate'] }, ec2, false],
  [
    'three fields, nested state',
    {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    ec2,
    true,
  ],
  ['nested state differs', { detail: { state: ['running'] } }, ec2, false],
  ['strings are compared character by character', { source: ['AWS.ec2'] }, ec2, false],
  ['no normalisation of white space', { source: ['aws.ec2 '] }, ec2, false],
  ['a field the event lacks', { detail: { 'c-count': ['5'] } }, ec2, false],
  ['a field absent at the expected nesting', { state: ['terminated'] }, ec2, false],
  ['fields the pattern omits are ignored', { account: ['111122223333'] }, ec2, true],
  [
    'event array: one element is a pattern value',
    { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'other'] },
    ec2,
    true,
  ],
  [
    'event array: intersection with the pattern list',
    { resources: ['arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f', 'x'] },
    {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    true,
  ],
  ['event array: no common element', { resources: ['z'] }, { resources: ['x', 'y'] }, false],
  ['event array: empty', { resources: ['x'] }, { resources: [] }, false],
  ['number exact match', { detail: { n: [5] } }, withDetail({ n: 5 }), true],
  ['number exact mismatch', { detail: { n: [5] } }, withDetail({ n: 6 }), false],
  ['a number is not its string', { detail: { n: [5] } }, withDetail({ n: '5' }), false],
  ['a string is not its number', { detail: { n: ['5'] } }, withDetail({ n: 5 }), false],
  ['true matches true', { detail: { b: [true] } }, withDetail({ b: true }), true],
  ['true is not the string "true"', { detail: { b: [true] } }, withDetail({ b: 'true' }), false],
  ['false matches false', { detail: { b: [false] } }, withDetail({ b: false }), true],
  // Null and empty values.
  [
    'null matches a null field',
    { detail: { responseElements: [null] } },
    withDetail({ responseElements: null }),
    true,
  ],
  ['null does not match an absent field', { detail: { responseElements: [null] } }, withDetail({}), false],
  [
    'null does not match a value',
    { detail: { responseElements: [null] } },
    withDetail({ responseElements: 'x' }),
    false,
  ],
  [
    'empty string matches an empty string',
    { detail: { eventVersion: [''] } },
    withDetail({ eventVersion: '' }),
    true,
  ],
  ['empty string is not null', { detail: { eventVersion: [''] } }, withDetail({ eventVersion: null }), false],
  ['empty string is not absence', { detail: { eventVersion: [''] } }, withDetail({}), false],
  // Nested objects and arrays of objects.
  [
    'three levels of nesting',
    { detail: { a: { b: { c: ['x'] } } } },
    withDetail({ a: { b: { c: 'x' } } }),
    true,
  ],
  ['a leaf where an object is expected', { detail: { a: { b: ['x'] } } }, withDetail({ a: 'x' }), false],
  ['an object where a leaf is expected', { detail: { a: ['x'] } }, withDetail({ a: { b: 'x' } }), false],
  [
    'array of objects: both fields in one element',
    { d: { a: ['1'], b: ['2'] } },
    { d: [{ a: '1', b: '2' }, { a: '3' }] },
    true,
  ],
  [
    'array of objects: fields split across elements',
    { d: { a: ['1'], b: ['2'] } },
    { d: [{ a: '1' }, { b: '2' }] },
    false,
  ],
  [
    'array of objects: the last of three elements',
    { d: { a: ['1'], b: ['2'] } },
    { d: [{ a: '0' }, { b: '0' }, { a: '1', b: '2' }] },
    true,
  ],
  [
    'array of objects: prefix in one element',
    { d: { a: [{ prefix: 'he' }], b: ['w'] } },
    { d: [{ a: 'hello', b: 'w' }] },
    true,
  ],
  [
    'array of objects under a nested object',
    { d: { items: { name: ['x'] } } },
    { d: { items: [{ name: 'y' }, { name: 'x' }] } },
    true,
  ],
  [
    'array of primitives beside a scalar',
    { d: { tags: ['b'], id: ['1'] } },
    { d: { tags: ['a', 'b', 'c'], id: '1' } },
    true,
  ],
  [
    'array of primitives: numeric on an element',
    { d: { n: [{ numeric: ['>', 10] }] } },
    { d: { n: [1, 20] } },
    true,
  ],
  [
    'array of primitives: no element in range',
    { d: { n: [{ numeric: ['>', 10] }] } },
    { d: { n: [1, 2] } },
    false,
  ],
  ['array of arrays is flattened', { d: { n: ['x'] } }, { d: { n: [['y'], ['x']] } }, true],
  // Dotted keys: EventBridge joins keys with dots, in patterns and in events.
  [
    'a dotted pattern key is the nested field',
    { detail: { 'state.status': ['ok'] } },
    withDetail({ state: { status: 'ok' } }),
    true,
  ],
  [
    'a dotted pattern key with the wrong value',
    { detail: { 'state.status': ['ok'] } },
    withDetail({ state: { status: 'bad' } }),
    false,
  ],
  ['a dotted top-level key', { 'detail.state': ['terminated'] }, ec2, true],
  [
    'a dotted key and a nested object merge',
    { 'detail.a': ['1'], detail: { b: ['2'] } },
    withDetail({ a: '1', b: '2' }),
    true,
  ],
  [
    'a dotted event key is the nested field',
    { detail: { state: { status: ['ok'] } } },
    withDetail({ 'state.status': 'ok' }),
    true,
  ],
  [
    'a dotted event key meets a dotted pattern key',
    { detail: { 'state.status': ['ok'] } },
    withDetail({ 'state.status': 'ok' }),
    true,
  ],
  [
    'a dotted event key beside its nested sibling',
    { detail: { state: { status: ['ok'], code: ['1'] } } },
    withDetail({ state: { code: '1' }, 'state.status': 'ok' }),
    true,
  ],
  ['a dotted pattern key into an array of objects', { 'd.a': ['1'] }, { d: [{ a: '2' }, { a: '1' }] }, true],
  // Prefix.
  ['prefix', { time: [{ prefix: '2017-12-22' }] }, ec2, true],
  ['prefix mismatch', { time: [{ prefix: '2018' }] }, ec2, false],
  ['prefix on a region', { region: [{ prefix: 'us-' }] }, ec2, true],
  ['prefix is case-sensitive', { region: [{ prefix: 'US-' }] }, ec2, false],
  ['prefix equals-ignore-case', { region: [{ prefix: { 'equals-ignore-case': 'US-' } }] }, ec2, true],
  ['prefix never matches a number', { detail: { n: [{ prefix: '1' }] } }, withDetail({ n: 12 }), false],
  ['an empty prefix matches any string', { source: [{ prefix: '' }] }, ec2, true],
  // Suffix.
  ['suffix on an object key', { detail: { object: { key: [{ suffix: '.png' }] } } }, s3Object, true],
  ['suffix mismatch', { detail: { object: { key: [{ suffix: '.jpg' }] } } }, s3Object, false],
  [
    'suffix equals-ignore-case',
    { detail: { object: { key: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } } },
    s3Object,
    true,
  ],
  [
    'several suffixes ORed',
    { detail: { object: { key: [{ suffix: '.jpg' }, { suffix: '.png' }] } } },
    s3Object,
    true,
  ],
  // Anything-but.
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2, true],
  ['anything-but the same string', { detail: { state: [{ 'anything-but': 'terminated' }] } }, ec2, false],
  ['anything-but a number', { detail: { x: [{ 'anything-but': 123 }] } }, withDetail({ x: 456 }), true],
  [
    'anything-but the same number',
    { detail: { x: [{ 'anything-but': 123 }] } },
    withDetail({ x: 123 }),
    false,
  ],
  [
    'anything-but a string list',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    ec2,
    true,
  ],
  [
    'anything-but a string list holding the value',
    { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } },
    ec2,
    false,
  ],
  [
    'anything-but a number list',
    { detail: { x: [{ 'anything-but': [100, 200, 300] }] } },
    withDetail({ x: 301 }),
    true,
  ],
  [
    'anything-but a number list holding it',
    { detail: { x: [{ 'anything-but': [100, 200, 300] }] } },
    withDetail({ x: 200 }),
    false,
  ],
  ['anything-but needs the field', { detail: { x: [{ 'anything-but': 'a' }] } }, withDetail({}), false],
  [
    'anything-but a string matches a number',
    { detail: { x: [{ 'anything-but': '5' }] } },
    withDetail({ x: 5 }),
    true,
  ],
  [
    'anything-but on an array: one element outside the list',
    { detail: { x: [{ 'anything-but': ['a', 'b'] }] } },
    withDetail({ x: ['a', 'c'] }),
    true,
  ],
  [
    'anything-but on an array: every element in the list',
    { detail: { x: [{ 'anything-but': ['a', 'b'] }] } },
    withDetail({ x: ['a', 'b'] }),
    false,
  ],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, ec2, true],
  [
    'anything-but prefix excluded',
    { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } },
    ec2,
    false,
  ],
  [
    'anything-but a prefix list: neither prefix',
    { detail: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] } },
    ec2,
    true,
  ],
  [
    'anything-but a prefix list: the second prefix',
    { detail: { state: [{ 'anything-but': { prefix: ['init', 'term'] } }] } },
    ec2,
    false,
  ],
  [
    'anything-but suffix',
    { detail: { object: { key: [{ 'anything-but': { suffix: '.txt' } }] } } },
    s3Object,
    true,
  ],
  [
    'anything-but suffix excluded',
    { detail: { object: { key: [{ 'anything-but': { suffix: '.png' } }] } } },
    s3Object,
    false,
  ],
  [
    'anything-but a suffix list: one of them',
    { detail: { object: { key: [{ 'anything-but': { suffix: ['.txt', '.png'] } }] } } },
    s3Object,
    false,
  ],
  [
    'anything-but a suffix list: none of them',
    { detail: { object: { key: [{ 'anything-but': { suffix: ['.txt', '.gif'] } }] } } },
    s3Object,
    true,
  ],
  [
    'anything-but equals-ignore-case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'TERMINATED' } }] } },
    ec2,
    false,
  ],
  [
    'anything-but equals-ignore-case list',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Running'] } }] } },
    ec2,
    true,
  ],
  [
    'anything-but wildcard',
    { detail: { object: { key: [{ 'anything-but': { wildcard: 'dir/*.png' } }] } } },
    s3Object,
    false,
  ],
  [
    'anything-but wildcard list: none matches',
    { detail: { object: { key: [{ 'anything-but': { wildcard: ['*/a.*', 'x*'] } }] } } },
    s3Object,
    true,
  ],
  // Numeric.
  ['numeric range inside', { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, withDetail({ c: 5 }), true],
  [
    'numeric range: the open low bound',
    { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } },
    withDetail({ c: 0 }),
    false,
  ],
  ['numeric less than', { detail: { d: [{ numeric: ['<', 10] }] } }, withDetail({ d: 9.999 }), true],
  ['numeric less than: equal', { detail: { d: [{ numeric: ['<', 10] }] } }, withDetail({ d: 10 }), false],
  ['numeric equals', { detail: { x: [{ numeric: ['=', 3.018e2] }] } }, withDetail({ x: 301.8 }), true],
  [
    'numeric equals, written differently',
    { detail: { x: [{ numeric: ['=', 300] }] } },
    withDetail({ x: 3.0e2 }),
    true,
  ],
  ['numeric >= at its bound', { detail: { x: [{ numeric: ['>=', -1.5] }] } }, withDetail({ x: -1.5 }), true],
  ['numeric <= below', { detail: { x: [{ numeric: ['<=', 0] }] } }, withDetail({ x: -4e9 }), true],
  [
    'numeric never matches a string',
    { detail: { x: [{ numeric: ['>', 0] }] } },
    withDetail({ x: '5' }),
    false,
  ],
  ['numeric never matches absence', { detail: { x: [{ numeric: ['>', 0] }] } }, withDetail({}), false],
  ['numeric at the upper limit', { detail: { x: [{ numeric: ['<=', 5e9] }] } }, withDetail({ x: 5e9 }), true],
  [
    'numeric with six decimals',
    { detail: { x: [{ numeric: ['>', 0.000001] }] } },
    withDetail({ x: 0.000002 }),
    true,
  ],
  // Exists.
  ['exists true on a present field', { detail: { state: [{ exists: true }] } }, ec2, true],
  ['exists true on an absent field', { detail: { 'c-count': [{ exists: true }] } }, ec2, false],
  ['exists false on an absent field', { detail: { 'c-count': [{ exists: false }] } }, ec2, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, ec2, false],
  ['exists true on a null field', { detail: { x: [{ exists: true }] } }, withDetail({ x: null }), true],
  [
    'exists true on an object is false: it matches leaves',
    { detail: { x: [{ exists: true }] } },
    withDetail({ x: { y: 1 } }),
    false,
  ],
  ['exists false when the parent is absent', { nothing: { x: [{ exists: false }] } }, ec2, true],
  ['exists true on a non-empty array', { d: { a: [{ exists: true }] } }, { d: { a: ['x'] } }, true],
  ['exists true on an empty array', { d: { a: [{ exists: true }] } }, { d: { a: [] } }, false],
  [
    'two exists, one missing',
    { d: { a: [{ exists: true }], b: [{ exists: true }] } },
    { d: { a: 1 } },
    false,
  ],
  // Equals-ignore-case.
  [
    'equals-ignore-case',
    { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    ec2,
    true,
  ],
  ['equals-ignore-case mismatch', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance' }] }, ec2, false],
  // Wildcard.
  ['wildcard in the middle', { detail: { object: { key: [{ wildcard: 'dir/*.png' }] } } }, s3Object, true],
  ['wildcard mismatch', { detail: { object: { key: [{ wildcard: 'dir/*.jpg' }] } } }, s3Object, false],
  ['wildcard several stars', { source: [{ wildcard: 'a*.e*2' }] }, ec2, true],
  ['wildcard alone matches any string', { source: [{ wildcard: '*' }] }, ec2, true],
  ['wildcard without star is an exact match', { source: [{ wildcard: 'aws.ec2' }] }, ec2, true],
  ['wildcard: an escaped star is literal', { d: [{ wildcard: 'a\\*b' }] }, { d: 'a*b' }, true],
  ['wildcard: an escaped star does not match text', { d: [{ wildcard: 'a\\*b' }] }, { d: 'axxb' }, false],
  ['wildcard: an escaped backslash', { d: [{ wildcard: 'a\\\\b' }] }, { d: 'a\\b' }, true],
  ['wildcard never matches a number', { d: [{ wildcard: '1*' }] }, { d: 12 }, false],
  // CIDR.
  ['cidr IPv4 inside', { detail: { 'source-ip-address': [{ cidr: '10.0.0.0/24' }] } }, s3Object, true],
  ['cidr IPv4 outside', { detail: { 'source-ip-address': [{ cidr: '10.0.1.0/24' }] } }, s3Object, false],
  ['cidr IPv6 inside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1234::1' }, true],
  ['cidr IPv6 outside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
  [
    'cidr IPv6 written in full',
    { ip: [{ cidr: '2001:0db8:0000:0000:0000:0000:0000:0000/64' }] },
    { ip: '2001:db8::ff' },
    true,
  ],
  ['cidr on a field that is not an address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'localhost' }, false],
  // $or.
  [
    '$or: the second alternative',
    {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    withDetail({ 'd-count': 3 }),
    true,
  ],
  [
    '$or: no alternative',
    { detail: { $or: [{ 'c-count': [1] }, { 'd-count': [2] }] } },
    withDetail({ 'c-count': 2, 'd-count': 1 }),
    false,
  ],
  [
    '$or with a field beside it',
    { source: ['aws.ec2'], $or: [{ region: ['eu-west-1'] }, { account: ['111122223333'] }] },
    ec2,
    true,
  ],
  [
    '$or with a field beside it that fails',
    { source: ['aws.s3'], $or: [{ region: ['us-west-1'] }, { account: ['111122223333'] }] },
    ec2,
    false,
  ],
  [
    '$or alternatives with nested objects',
    { $or: [{ detail: { state: ['running'] } }, { detail: { state: ['terminated'] } }] },
    ec2,
    true,
  ],
  [
    '$or alternatives with dotted keys',
    { $or: [{ 'detail.state': ['running'] }, { 'detail.state': ['terminated'] }] },
    ec2,
    true,
  ],
  [
    'a value list and a nested pattern on one field, through a dotted event key',
    { 'detail.state': ['x'], detail: { state: { a: ['1'] } } },
    withDetail({ state: 'x', 'state.a': '1' }),
    true,
  ],
  [
    'a value list and a nested pattern on one field, nested part missing',
    { 'detail.state': ['x'], detail: { state: { a: ['1'] } } },
    withDetail({ state: 'x' }),
    false,
  ],
  // Several operators on one field are ORed.
  [
    'a value list mixing an exact value and operators',
    { source: ['aws.s3', { prefix: 'aws.e' }, { numeric: ['>', 1] }] },
    ec2,
    true,
  ],
  ['exists false OR a value: the value', { d: [{ exists: false }, 'x'] }, { d: 'x' }, true],
  ['exists false OR a value: absence', { d: [{ exists: false }, 'x'] }, {}, true],
  ['exists false OR a value: another value', { d: [{ exists: false }, 'x'] }, { d: 'y' }, false],
];

/** Patterns PutRule refuses with InvalidEventPatternException. */
const refusals: Array<[name: string, pattern: unknown]> = [
  ['an empty pattern', {}],
  ['a pattern that is an array', [{ source: ['x'] }]],
  ['an empty nested object', { detail: {} }],
  ['an empty object deep inside', { detail: { a: { b: {} } } }],
  ['an empty object in an $or alternative', { $or: [{}, { a: ['1'] }] }],
  ['a scalar field value', { source: 'aws.ec2' }],
  ['a null field value', { source: null }],
  ['an empty value list', { source: [] }],
  ['an array inside a value list', { source: [['aws.ec2']] }],
  ['an unknown operator', { source: [{ contains: 'ec2' }] }],
  ['two operators in one matcher', { source: [{ prefix: 'a', suffix: 'b' }] }],
  ['an empty matcher object', { source: [{}] }],
  ['prefix with a number', { source: [{ prefix: 1 }] }],
  ['prefix with an unknown inner operator', { source: [{ prefix: { wildcard: 'a*' } }] }],
  ['suffix with a list', { source: [{ suffix: ['a', 'b'] }] }],
  ['equals-ignore-case with a number', { source: [{ 'equals-ignore-case': 1 }] }],
  ['anything-but with null', { source: [{ 'anything-but': null }] }],
  ['anything-but with true', { source: [{ 'anything-but': true }] }],
  ['anything-but with an empty list', { source: [{ 'anything-but': [] }] }],
  ['anything-but mixing strings and numbers', { source: [{ 'anything-but': ['a', 1] }] }],
  ['anything-but a list holding null', { source: [{ 'anything-but': ['a', null] }] }],
  ['anything-but with an empty prefix', { source: [{ 'anything-but': { prefix: '' } }] }],
  ['anything-but with an empty suffix', { source: [{ 'anything-but': { suffix: '' } }] }],
  [
    'anything-but a prefix list holding an empty prefix',
    { source: [{ 'anything-but': { prefix: ['a', ''] } }] },
  ],
  [
    'anything-but prefix equals-ignore-case',
    { source: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'a' } } }] },
  ],
  [
    'anything-but suffix equals-ignore-case',
    { source: [{ 'anything-but': { suffix: { 'equals-ignore-case': 'a' } } }] },
  ],
  ['anything-but prefix with a number', { source: [{ 'anything-but': { prefix: 1 } }] }],
  [
    'anything-but equals-ignore-case with a number',
    { source: [{ 'anything-but': { 'equals-ignore-case': 1 } }] },
  ],
  ['anything-but with two operators', { source: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }],
  ['anything-but with an unknown operator', { source: [{ 'anything-but': { numeric: ['>', 1] } }] }],
  ['anything-but a number beyond the numeric range', { n: [{ 'anything-but': [6e9] }] }],
  ['numeric not an array', { n: [{ numeric: '>' }] }],
  ['numeric with one element', { n: [{ numeric: ['>'] }] }],
  ['numeric with three elements', { n: [{ numeric: ['>', 0, '<'] }] }],
  ['numeric with an unknown operator', { n: [{ numeric: ['!=', 1] }] }],
  ['numeric with a string bound', { n: [{ numeric: ['>', '1'] }] }],
  ['numeric range written high to low', { n: [{ numeric: ['<', 5, '>', 1] }] }],
  ['numeric range with = first', { n: [{ numeric: ['=', 1, '<', 5] }] }],
  ['numeric range with an empty span', { n: [{ numeric: ['>', 5, '<', 5] }] }],
  ['numeric range with equal closed bounds', { n: [{ numeric: ['>=', 5, '<=', 5] }] }],
  ['numeric range inverted', { n: [{ numeric: ['>', 10, '<', 1] }] }],
  ['numeric bound above 5.0e9', { n: [{ numeric: ['<', 5.000001e9] }] }],
  ['numeric bound below -5.0e9', { n: [{ numeric: ['>', -6e9] }] }],
  ['numeric bound with seven decimals', { n: [{ numeric: ['>', 0.0000001] }] }],
  ['numeric equals beyond the range', { n: [{ numeric: ['=', 1e10] }] }],
  ['exists with a string', { f: [{ exists: 'true' }] }],
  ['exists with null', { f: [{ exists: null }] }],
  ['wildcard with consecutive stars', { f: [{ wildcard: 'a**b' }] }],
  ['wildcard with a bad escape', { f: [{ wildcard: 'a\\b' }] }],
  ['wildcard with a number', { f: [{ wildcard: 1 }] }],
  ['cidr with a mask too long', { ip: [{ cidr: '10.0.0.0/33' }] }],
  ['cidr that is not an address', { ip: [{ cidr: 'ten/8' }] }],
  ['cidr IPv6 mask too long', { ip: [{ cidr: '2001:db8::/129' }] }],
  ['$or that is not an array', { $or: { a: ['1'] } }],
  ['$or with one alternative', { $or: [{ a: ['1'] }] }],
  ['$or with no alternative', { $or: [] }],
  ['$or holding a value rather than objects', { $or: ['x', 'y'] }],
  ['$or nested with one alternative', { detail: { $or: [{ a: ['1'] }] } }],
];

describe('the local matcher agrees with EventBridge on AWS examples', () => {
  it.each(matches)('%s', (_name, pattern, event, expected) => {
    expect(compileEventPattern(pattern)(event)).toBe(expected);
  });
});

describe('the local matcher refuses what PutRule refuses', () => {
  it.each(refusals)('%s', (_name, pattern) => {
    expect(() => compileEventPattern(pattern as EventPattern)).toThrow(InvalidEventPatternError);
  });
});
