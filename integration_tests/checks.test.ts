/**
 * The suite's own rules, fed input that breaks them: a check that cannot fail proves nothing. No CLI, no
 * sandbox: each rule gets a small made-up spec, schema, record or message sequence.
 */
import { CliResult, type Message } from '../test/helpers/cli.js';
import { protocolProblem } from '../test/helpers/protocol.js';
import { airbyteResume, columnType } from './lib/airbyte.js';
import { parseDockerfile } from './lib/dockerfile.js';
import { futureValue, FUTURE_SECONDS } from './lib/future.js';
import { draft07Problems, nonIntegerLexemes, recordValidator } from './lib/schema.js';
import {
  additionalPropertiesProblems,
  arrayItemsProblems,
  defaultProblems,
  forbiddenKeywordProblems,
  oneOfProblems,
  secretProblems,
  typeProblems,
  uiProblems,
} from './lib/spec_rules.js';
import { cursorRegressions, stateProblems, statusProblems } from './lib/streams.js';

const spec = (properties: Record<string, unknown>) => ({ type: 'object', properties });

describe('spec rules catch', () => {
  it.each([
    ['an unmarked token', secretProblems, spec({ api_token: { type: 'string' } }), /api_token looks like a secret/],
    ['a secret that cannot hold one', secretProblems, spec({ flag: { type: 'boolean', airbyte_secret: true } }), /cannot hold a secret/],
    ['anyOf', forbiddenKeywordProblems, spec({ a: { anyOf: [{ type: 'string' }] } }), /anyOf is used/],
    ['a $ref', forbiddenKeywordProblems, spec({ a: { $ref: '#/definitions/x' } }), /\$ref is used/],
    ['if/then', forbiddenKeywordProblems, spec({ a: { type: 'string', if: {}, then: {} } }), /if is used/],
    ['additionalProperties false', additionalPropertiesProblems, { ...spec({}), additionalProperties: false }, /is false, not true/],
    ['two types', typeProblems, spec({ a: { type: ['string', 'integer'] } }), /has type/],
    ['a list of item schemas', arrayItemsProblems, spec({ a: { type: 'array', items: [{ type: 'string' }] } }), /list of schemas/],
    ['a oneOf without a const discriminator', oneOfProblems, spec({ a: { type: 'object', oneOf: [{ properties: { x: { type: 'string' } } }, { properties: { x: { type: 'string' } } }] } }), /exactly one is needed/],
    ['a oneOf under a non-object', oneOfProblems, spec({ a: { type: 'string', oneOf: [{ properties: { k: { const: 1 } } }] } }), /not object/],
    ['a default outside its own range', defaultProblems, spec({ a: { type: 'integer', minimum: 1, default: 0 } }), /default 0 is invalid/],
    ['duplicate orders', uiProblems, spec({ a: { type: 'string', order: 1 }, b: { type: 'string', order: 1 } }), /share order 1/],
    ['duplicate enum values', uiProblems, spec({ a: { type: 'string', enum: ['x', 'x'] } }), /enum has duplicates/],
  ])('%s', (_name, rule, schema, pattern) => {
    const problems = (rule as (s: Record<string, unknown>) => string[])(schema as Record<string, unknown>);
    expect(problems.join('\n')).toMatch(pattern);
  });

  it('a schema that is not draft-07', () => {
    expect(draft07Problems({ type: 'object', properties: { a: { type: 'strnig' } } }).length).toBeGreaterThan(0);
  });
});

describe('record validation catches', () => {
  const schema = {
    type: 'object',
    properties: { n: { type: 'integer' }, x: { type: ['number', 'null'] }, at: { type: 'string', format: 'date-time' }, nested: { type: 'object', properties: { k: { type: 'integer' } } } },
  };
  const validate = recordValidator(schema, { failOnExtraColumns: true });
  const line = (data: string) => `{"type":"RECORD","record":{"stream":"s","data":${data},"emitted_at":1}}`;
  const check = (data: string) => validate(JSON.parse(data), line(data)).join('\n');

  it.each([
    ['1.0 as an integer', '{"n":1.0}', /written 1\.0, which is not an integer/],
    ['1e3 as an integer', '{"n":1e3}', /written 1e3/],
    ['a date-time CAT rejects', '{"at":"2024/01/01"}', /not a date-time/],
    ['an undeclared field', '{"n":1,"extra":true}', /"extra" that the schema does not declare/],
    ['an undeclared nested field', '{"nested":{"k":1,"z":2}}', /"z" that the schema does not declare/],
    ['a wrong type', '{"n":"1"}', /must be integer/],
  ])('%s', (_name, data, pattern) => {
    expect(check(data)).toMatch(pattern);
  });

  it('and accepts what CAT accepts', () => {
    expect(check('{"n":1,"x":1.5,"at":"2024-01-01T00:00:00Z","nested":{"k":2}}')).toBe('');
    expect(check('{"at":"2024-01-01 10:00:00+00:00"}')).toBe('');
  });

  it('finds number lexemes inside strings and arrays at the right paths', () => {
    expect(nonIntegerLexemes('{"a":"1.0","b":[1,2.5],"c":{"d":-3E2}}')).toEqual([
      { path: ['b', 1], lexeme: '2.5' },
      { path: ['c', 'd'], lexeme: '-3E2' },
    ]);
  });
});

const result = (messages: Message[]) => new CliResult(0, null, messages, messages.map((m) => JSON.stringify(m)).join('\n') + '\n', '');
const record = (stream: string, data: Record<string, unknown> = {}) => ({ type: 'RECORD', record: { stream, data, emitted_at: 1 } });
const state = (stream: string, streamState: Record<string, unknown>, recordCount: number) => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: streamState }, sourceStats: { recordCount } },
});
const status = (stream: string, s: string) => ({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: 1, stream_status: { stream_descriptor: { name: stream }, status: s } } });

describe('message sequence checks catch', () => {
  it('statuses out of order, missing RUNNING, or INCOMPLETE', () => {
    expect(statusProblems(result([status('a', 'STARTED'), status('a', 'COMPLETE')]), ['a'])).toHaveLength(1);
    expect(statusProblems(result([status('a', 'RUNNING'), status('a', 'STARTED'), status('a', 'COMPLETE')]), ['a'])).toHaveLength(1);
    expect(statusProblems(result([status('a', 'STARTED'), status('a', 'RUNNING'), status('a', 'INCOMPLETE')]), ['a'])).toHaveLength(1);
    expect(statusProblems(result([status('a', 'STARTED'), status('a', 'RUNNING'), status('a', 'COMPLETE')]), ['a'])).toEqual([]);
  });

  it('a recordCount that is not the records since the previous state, and records after the last state', () => {
    const problems = stateProblems(result([record('a'), record('a'), state('a', {}, 1), record('a')]), ['a', 'b']);
    expect(problems.join('\n')).toMatch(/recordCount is 1 but 2 records/);
    expect(problems.join('\n')).toMatch(/a: 1 records came after its last STATE/);
    expect(problems.join('\n')).toMatch(/b: no STATE message/);
  });

  it('a cursor moving backwards, per stream and per partition, and from the given state', () => {
    const fields = new Map([['a', 'updated']]);
    expect(cursorRegressions(result([state('a', { updated: 10 }, 0), state('a', { updated: 9 }, 0)]), fields)).toHaveLength(1);
    expect(cursorRegressions(result([state('a', { partitions: { '1': { updated: '2024-01-02T00:00:00Z' } } }, 0), state('a', { partitions: { '1': { updated: '2024-01-01T00:00:00Z' } } }, 0)]), fields)).toHaveLength(1);
    expect(cursorRegressions(result([state('a', { updated: 5 }, 0)]), fields, new Map([['a', { updated: 6 }]]))).toHaveLength(1);
    expect(cursorRegressions(result([state('a', { updated: 5 }, 0), state('a', { updated: 5 }, 0)]), fields)).toEqual([]);
  });

  it('a message without the field its type names', () => {
    expect(protocolProblem({ type: 'CONNECTION_STATUS' })).toBeDefined();
  });
});

describe('helpers read what they must', () => {
  it('a Dockerfile: labels, ENV in both forms, exec-form ENTRYPOINT', () => {
    const facts = parseDockerfile('FROM x\nLABEL a=b "c.d"="e f"\nENV K="v w"\nENV OLD style value\nENTRYPOINT ["node", "main.js"]\n');
    expect(facts).toEqual({ labels: { a: 'b', 'c.d': 'e f' }, env: { K: 'v w', OLD: 'style value' }, entrypoint: ['node', 'main.js'] });
  });

  it('far-future cursors keep their representation', () => {
    expect(futureValue(1700000000)).toBe(FUTURE_SECONDS);
    expect(futureValue('1700000000')).toBe(String(FUTURE_SECONDS));
    expect(futureValue('2024-05-01T00:00:00-04:00')).toBe('2100-01-01T00:00:00-04:00');
    expect(futureValue('2024-05-01T00:00:00Z')).toBe('2100-01-01T00:00:00Z');
  });
});

describe("Airbyte's semantics the migration test judges by", () => {
  it.each<[unknown, string]>([
    [{ type: ['integer', 'null'] }, 'integer'],
    [{ type: 'string' }, 'string'],
    [{ type: ['integer', 'string', 'null'] }, 'string'],
    [{ type: ['string', 'array', 'object', 'null'] }, 'array'],
    [{ type: ['integer', 'number'] }, 'number'],
    [{ description: 'anything' }, 'untyped'],
    [undefined, 'untyped'],
  ])('a property typed %j lands in a %s column', (property, column) => {
    expect(columnType(property as Record<string, unknown>)).toBe(column);
  });

  it('picks a stream up at its cursor, less its lookback', () => {
    expect(airbyteResume({ updated: '1000' }, 'updated', 60)(undefined)).toEqual({ mustFrom: 1000, mayFrom: 940 });
    expect(airbyteResume({ updated: '1970-01-01T00:16:40Z' }, 'updated', 0)(undefined)).toEqual({ mustFrom: 1000, mayFrom: 1000 });
  });

  it("picks a parent up at its own cursor, another at the global one less the last sync's length, all at the global one with use_global_cursor", () => {
    const state = { use_global_cursor: false, states: [{ partition: { parent_id: 7, parent_slice: {} }, cursor: { updated: '500' } }], state: { updated: '1000' }, lookback_window: 100 };
    const resume = airbyteResume(state, 'updated', 10);
    expect(resume(7)).toEqual({ mustFrom: 500, mayFrom: 490 });
    expect(resume('8')).toEqual({ mustFrom: 900, mayFrom: 890 });
    expect(airbyteResume({ ...state, use_global_cursor: true }, 'updated', 10)(7)).toEqual({ mustFrom: 1000, mayFrom: 890 });
    expect(airbyteResume({ states: state.states }, 'updated', 10)(8)).toEqual({ mustFrom: -Infinity, mayFrom: -Infinity });
  });
});
