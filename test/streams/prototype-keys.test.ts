/**
 * Issue 26.6: field names that are also names of Object.prototype's members (`__proto__`, `constructor`,
 * `toString`) are fields like any other wherever records, key paths, attributes and states are walked. Answers are
 * given to nock as JSON text: a JavaScript object literal would turn `"__proto__"` into a prototype, not a field.
 */
import nock from 'nock';
import { parseConfig } from '../../src/config.js';
import { customStreams } from '../../src/customerio/streams/custom.js';
import { columnPlan, personFromRow } from '../../src/customerio/customers-export.js';
import { pickAttributes } from '../../src/customerio/people.js';
import { toAirbyteStream } from '../../src/engine/discover.js';
import { valueAt } from '../../src/engine/conform.js';
import { Checkpoint } from '../../src/engine/checkpoint.js';
import { setOwn } from '../../src/engine/own.js';
import { savedCursor, type IncrementalStrategy } from '../../src/engine/incremental.js';
import { API, readStreams } from './listing-harness.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('setOwn', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'name'])('makes %s a plain field of the object, printed, and leaves its prototype alone', (key) => {
    const target: Record<string, unknown> = {};
    setOwn(target, key, 'v');
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(target, key)).toEqual({ value: 'v', writable: true, enumerable: true, configurable: true });
    expect(JSON.parse(JSON.stringify(target), (k, v) => v)).toEqual(JSON.parse(`{"${key}":"v"}`));
    expect(Object.keys(target)).toEqual([key]);
  });
});

const json = (text: string) => [200, text, { 'content-type': 'application/json' }] as const;
const customWithKey = (primaryKey: string[]) =>
  customStreams(parseConfig({ app_api_key: 'k-0000', custom_streams: [{ name: 'odd', path: '/odd', records_path: '$.items[*]', primary_key: primaryKey }] }), [])[0];

describe('a custom stream keyed on __proto__ or constructor', () => {
  it('["__proto__.x"]: discover declares the nested key in the schema instead of crashing', () => {
    const entry = toAirbyteStream(customWithKey(['__proto__.x']));
    expect(entry.source_defined_primary_key).toEqual([['__proto__', 'x']]);
    const schema = JSON.parse(JSON.stringify(entry.json_schema));
    expect(Object.keys(schema.properties)).toEqual(['__proto__']);
    expect(schema.properties['__proto__'].properties.x.type).toEqual(['string', 'integer', 'number']);
  });

  it('["__proto__"]: the key is in the schema, not silently dropped', () => {
    const text = JSON.stringify(toAirbyteStream(customWithKey(['__proto__'])).json_schema);
    expect(text).toContain('"properties":{"__proto__":{"type":["string","integer","number"]}}');
  });

  it('["__proto__.x"]: read emits the records that have it and skips, with a WARN, those that do not', async () => {
    nock(API).get('/v1/odd').query(true).reply(...json('{"items":[{"__proto__":{"x":1},"name":"a"},{"name":"b"},{"__proto__":{"x":"2"},"name":"c"}]}'));
    const result = await readStreams([{ definition: customWithKey(['__proto__.x']) }]);
    expect(result.errors).toEqual([]);
    expect(result.records('odd').map((r) => [r.name, Object.prototype.hasOwnProperty.call(r, '__proto__') ? r['__proto__'].x : 'none'])).toEqual([
      ['a', 1],
      ['c', '2'],
    ]);
    expect(result.logs('WARN')).toContainEqual(expect.stringMatching(/^odd: skipped record without its primary key \(__proto__\.x\): no value for __proto__\.x/));
    expect(result.statuses('odd').at(-1)).toBe('COMPLETE');
  });

  it.each([['constructor'], ['toString'], ['__proto__']])('["%s"]: a record without that field is not keyed by what Object.prototype has', async (key) => {
    nock(API).get('/v1/odd').query(true).reply(...json(`{"items":[{"name":"lacks"},{"${key}":"k1","name":"has"}]}`));
    const result = await readStreams([{ definition: customWithKey([key]) }]);
    expect(result.records('odd').map((r) => r.name)).toEqual(['has']);
    expect(result.records('odd')[0][key]).toBe('k1');
    expect(result.logs('WARN')).toContainEqual(expect.stringMatching(new RegExp(`^odd: skipped record without its primary key \\(${key}\\)`)));
  });

  it('valueAt reads own fields only', () => {
    const record = JSON.parse('{"__proto__":{"x":5},"a":{"constructor":"c"}}');
    expect(valueAt(record, ['__proto__', 'x'])).toBe(5);
    expect(valueAt(record, ['a', 'constructor'])).toBe('c');
    expect(valueAt({}, ['constructor'])).toBeUndefined();
    expect(valueAt({}, ['__proto__'])).toBeUndefined();
    expect(valueAt({ a: 'text' }, ['a', 'length'])).toBeUndefined();
  });
});

describe('attributes named like Object.prototype\'s members', () => {
  const header = ['cio_id', 'id', 'email', 'constructor', 'toString', '__proto__', 'hasOwnProperty'];
  const row = ['a1', '1', 'a@example.com', 'builder', 'text', 'proto-value', 'yes'];

  it('the export way keeps constructor, toString and __proto__ as the API way does', () => {
    const record = personFromRow(columnPlan(header), row, []);
    const attributes = JSON.parse(JSON.stringify(record.attributes));
    expect(attributes).toEqual(JSON.parse('{"id":"1","email":"a@example.com","constructor":"builder","toString":"text","__proto__":"proto-value","hasOwnProperty":"yes"}'));
    expect(Object.keys(attributes)).toEqual(['id', 'email', 'constructor', 'toString', '__proto__', 'hasOwnProperty']);
  });

  it('the export way with customer_attributes naming them keeps them too', () => {
    const record = personFromRow(columnPlan(header), row, ['constructor', '__proto__']);
    expect(JSON.stringify(record.attributes)).toBe('{"constructor":"builder","__proto__":"proto-value"}');
  });

  it('customer_attributes ["__proto__"] or ["constructor"] on a person without them invents nothing', () => {
    expect(JSON.stringify(pickAttributes({ plan: 'pro' }, ['__proto__', 'constructor', 'toString']))).toBe('{}');
    expect(JSON.stringify(pickAttributes(JSON.parse('{"__proto__":"p","plan":"pro"}'), ['__proto__']))).toBe('{"__proto__":"p"}');
  });

  it('the API way keeps them (customers, attributes answered as JSON)', async () => {
    nock(API)
      .post('/v1/customers', () => true)
      .query(true)
      .reply(...json('{"identifiers":[{"cio_id":"a1","id":"1","email":"a@example.com"}],"next":""}'))
      .post('/v1/customers/attributes')
      .query(true)
      .reply(...json('{"customers":[{"id":"1","identifiers":{"cio_id":"a1","id":"1","email":"a@example.com"},"attributes":{"constructor":"builder","__proto__":"proto-value","toString":"text"},"unsubscribed":false,"devices":[],"timestamps":{}}]}'));
    const { customers } = await import('../../src/customerio/streams/customers.js');
    const result = await readStreams([{ definition: customers }], { config: { customer_attributes: ['__proto__', 'constructor', 'missing'] } });
    expect(result.errors).toEqual([]);
    const [person] = result.records('customers');
    expect(JSON.stringify(person.attributes)).toBe('{"__proto__":"proto-value","constructor":"builder"}');
  });
});

describe('a state whose keys are named like Object.prototype\'s members', () => {
  const perPartition = { kind: 'entity', cursorField: 'updated', perPartition: true } as unknown as IncrementalStrategy;

  it('a partition keyed "__proto__" or "constructor" keeps its own cursor, and one without a saved cursor gets none from Object.prototype', () => {
    const state = JSON.parse('{"partitions":{"__proto__":{"updated":100},"constructor":{"updated":200}}}');
    expect(savedCursor(state, perPartition, '__proto__')).toBe(100);
    expect(savedCursor(state, perPartition, 'constructor')).toBe(200);
    expect(savedCursor({ partitions: {} }, perPartition, 'toString')).toBeUndefined();
    expect(savedCursor({ partitions: {} }, perPartition, '__proto__')).toBeUndefined();
  });

  it('a checkpoint advances a partition keyed "__proto__" as a field of partitions', () => {
    const checkpoint = new Checkpoint(perPartition, JSON.parse('{"__proto__":{"polluted":true},"partitions":{}}'));
    checkpoint.advance('__proto__', 300);
    const { state } = checkpoint.take();
    expect(JSON.stringify(state)).toBe('{"__proto__":{"polluted":true},"partitions":{"__proto__":{"updated":300}}}');
    expect((state as Record<string, unknown>).polluted).toBeUndefined();
  });
});
