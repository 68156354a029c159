/** Table layouts from JSON schemas: column types, key columns, names DuckDB would confuse. */
import { columnType, jsonPath, keyExpression, layoutOf } from '../../src/sync/layout.js';

describe('columnType', () => {
  it.each([
    [{ type: ['integer', 'null'] }, 'BIGINT'],
    [{ type: 'integer' }, 'BIGINT'],
    [{ type: ['integer', 'number', 'null'] }, 'DOUBLE'],
    [{ type: ['boolean', 'null'] }, 'BOOLEAN'],
    [{ type: ['string', 'null'] }, 'VARCHAR'],
    [{ type: 'string', format: 'date-time' }, 'TIMESTAMPTZ'],
    [{ type: 'string', format: 'date' }, 'DATE'],
    [{ type: ['integer', 'string', 'null'] }, 'VARCHAR'],
    [{ type: ['object', 'null'] }, 'JSON'],
    [{ type: ['array', 'null'] }, 'JSON'],
    [{ type: ['string', 'array', 'object', 'null'] }, 'JSON'],
    [{}, 'JSON'],
  ])('maps %j to %s', (property, expected) => {
    expect(columnType(property)).toBe(expected);
  });
});

describe('layoutOf', () => {
  it('makes one column per property, leaves out _ab_cdc_deleted_at and skips a name that differs only in case', () => {
    const layout = layoutOf('people', { properties: { id: { type: 'string' }, Email: { type: 'string' }, email: { type: 'string' }, _ab_cdc_deleted_at: { type: 'string' } } }, [['id']]);
    expect(layout.columns).toEqual([
      { name: 'id', type: 'VARCHAR' },
      { name: 'Email', type: 'VARCHAR' },
    ]);
    expect(layout.skipped).toEqual(['email']);
  });

  it('gives a stream without declared properties its key columns and the whole record as _data', () => {
    const layout = layoutOf('custom', { type: 'object', properties: {} }, [['meta', 'id'], ['slug']]);
    expect(layout.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['meta JSON', 'slug VARCHAR', '_data JSON']);
  });

  it('keeps the whole record as _data when the schema declares only the key (custom streams)', () => {
    const layout = layoutOf('custom', { properties: { slug: { type: ['string', 'integer', 'number'] } } }, [['slug']]);
    expect(layout.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['slug VARCHAR', '_data JSON']);
    expect(layoutOf('campaigns', { properties: { id: { type: 'integer' }, name: { type: 'string' } } }, [['id']]).columns.map((c) => c.name)).toEqual(['id', 'name']);
  });
});

describe('key expressions', () => {
  it('read a nested key inside its JSON column and compare top-level keys as text', () => {
    expect(keyExpression(['meta', 'id'], 't')).toBe(`json_extract_string(t."meta", '$."id"')`);
    expect(keyExpression(['id'], 'b')).toBe('CAST(b."id" AS VARCHAR)');
  });

  it('quote keys that hold quotes and spaces', () => {
    expect(jsonPath(['first "name"', 'x y'])).toBe('$."first \\"name\\""."x y"');
  });
});
