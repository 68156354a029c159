/**
 * The record check before printing (src/engine/conform.ts), as a table: what is printed as is, what is printed
 * with fields nulled, what is skipped, and the WARN each says — with a small inline stream and schema.
 */
import { MAX_WARNINGS, RecordConformer } from '../../src/engine/conform.js';
import { noPagination } from '../../src/engine/paginators.js';
import type { StreamDefinition } from '../../src/engine/types.js';

const definition: StreamDefinition = {
  name: 'things',
  primaryKey: [['id']],
  jsonSchema: {
    type: 'object',
    additionalProperties: true,
    properties: {
      id: { type: ['integer', 'null'] },
      name: { type: ['string', 'null'] },
      tags: { type: ['array', 'null'], items: { type: 'string' } },
      kind: { type: 'string' },
    },
  },
  request: { path: '/things' },
  records: '$.things[*]',
  paginate: noPagination,
};

function conform(record: Record<string, unknown>) {
  const warnings: string[] = [];
  const result = new RecordConformer(definition, (m) => warnings.push(m)).conform(record);
  return { result, warnings };
}

describe('RecordConformer', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a valid record', { id: 1, name: 'a', tags: ['x'], kind: 'k' }],
    ['extra fields, nested anyhow', { id: 2, kind: 'k', extra: { a: [1, { b: null }] } }],
    ['nulls where the schema allows them', { id: 3, name: null, tags: null, kind: 'k' }],
  ])('prints %s as it is, without a WARN', (_case, record) => {
    const { result, warnings } = conform(record);
    expect(result).toBe(record);
    expect(warnings).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['a field of the wrong type', { id: 4, name: 42, kind: 'k' }, { id: 4, name: null, kind: 'k' }, /^things: record id=4: set name to null, .*name must be string,null/],
    ['a list with a bad item', { id: 5, tags: ['x', 7], kind: 'k' }, { id: 5, tags: null, kind: 'k' }, /^things: record id=5: set tags to null, .*tags\/1 must be string/],
    ['two bad fields', { id: 6, name: {}, tags: 'x', kind: 'k' }, { id: 6, name: null, tags: null, kind: 'k' }, /set name, tags to null/],
  ])('prints %s with that field nulled, and says so', (_case, record, expected, warning) => {
    const { result, warnings } = conform(record);
    expect(result).toEqual(expected);
    expect(record).not.toEqual(expected); // the API's object is left alone
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a record without its key', { name: 'a', kind: 'k' }, /^things: skipped record without its primary key \(id\): no value for id$/],
    ['a null key', { id: null, kind: 'k' }, /^things: skipped record without its primary key \(id\)/],
    ['a key the schema cannot hold', { id: 'abc', kind: 'k' }, /^things: skipped record id=abc: id must be integer,null$/],
    ['a field that may not be null', { id: 7, kind: 3 }, /^things: skipped record id=7: kind must be string$/],
  ])('skips %s with a WARN naming the stream and the key', (_case, record, warning) => {
    const { result, warnings } = conform(record);
    expect(result).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  it(`says the first ${MAX_WARNINGS} one by one, then how many more at the end of the stream`, () => {
    const warnings: string[] = [];
    const conformer = new RecordConformer(definition, (m) => warnings.push(m));
    for (let id = 1; id <= MAX_WARNINGS + 5; id++) conformer.conform({ id, name: 1, kind: 'k' });
    expect(warnings).toHaveLength(MAX_WARNINGS);
    conformer.finish();
    expect(warnings.at(-1)).toBe('things: 5 more records were changed or skipped like the ones above (not logged one by one)');
  });

  it('counts records without a key that the stream declares expected (keyless), and says so once when the stream ends', () => {
    const warnings: string[] = [];
    const conformer = new RecordConformer({ ...definition, keyless: { one: 'thing without an id', many: 'things without an id' } }, (m) => warnings.push(m));
    expect(conformer.conform({ name: 'a', kind: 'k' })).toBeUndefined();
    expect(conformer.conform({ id: null, kind: 'k' })).toBeUndefined();
    expect(conformer.conform({ id: 1, kind: 'k' })).toEqual({ id: 1, kind: 'k' });
    // Other problems are still said one by one.
    expect(conformer.conform({ id: 2, name: 5, kind: 'k' })).toEqual({ id: 2, name: null, kind: 'k' });
    expect(warnings).toEqual([expect.stringMatching(/^things: record id=2: set name to null/)]);
    conformer.finish();
    expect(warnings.slice(1)).toEqual(['things: skipped 2 things without an id']);
    // The count is per stream read, and one is one.
    conformer.finish();
    expect(warnings).toHaveLength(2);
    conformer.conform({ kind: 'k' });
    conformer.finish();
    expect(warnings.slice(2)).toEqual(['things: skipped 1 thing without an id']);
  });

  it('skips a record the printer cannot serialize, naming it', () => {
    const warnings: string[] = [];
    new RecordConformer(definition, (m) => warnings.push(m)).unprintable({ id: 9 }, new RangeError('Maximum call stack size exceeded'));
    expect(warnings).toEqual(['things: skipped record id=9: it cannot be printed as JSON (Maximum call stack size exceeded)']);
  });
});
