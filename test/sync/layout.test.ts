/** Table layouts from JSON schemas: column types, key columns, names DuckDB would confuse. */
import { columnType, createTableSql, extraExpression, extraName, jsonPath, keyExpression, layoutOf, ownFields } from '../../src/sync/layout.js';

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
      { name: '_cio_extra', type: 'JSON' },
    ]);
    expect(layout.skipped).toEqual(['email']);
  });

  it('gives a stream without declared properties its key columns and the whole record as _data', () => {
    const layout = layoutOf('custom', { type: 'object', properties: {} }, [['meta', 'id'], ['slug']]);
    expect(layout.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['meta JSON', 'slug VARCHAR', '_data JSON', '_cio_extra JSON']);
  });

  it('keeps the whole record as _data when the schema declares only the key (custom streams)', () => {
    const layout = layoutOf('custom', { properties: { slug: { type: ['string', 'integer', 'number'] } } }, [['slug']]);
    expect(layout.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['slug VARCHAR', '_data JSON', '_cio_extra JSON']);
    expect(layoutOf('campaigns', { additionalProperties: false, properties: { id: { type: 'integer' }, name: { type: 'string' } } }, [['id']]).columns.map((c) => c.name)).toEqual(['id', 'name']);
  });
});

describe('the catch-all column', () => {
  const declared = { id: { type: 'integer' }, name: { type: 'string' } };

  it.each([
    ['additionalProperties: true', '_cio_extra', { additionalProperties: true, properties: declared }],
    ['additionalProperties left out (JSON Schema allows more)', '_cio_extra', { properties: declared }],
    ['additionalProperties as a schema (metrics: any other integer)', '_cio_extra', { additionalProperties: { type: ['integer', 'null'] }, properties: declared }],
    ['patternProperties beside additionalProperties: false', '_cio_extra', { additionalProperties: false, patternProperties: { '^data_': {} }, properties: declared }],
    ['additionalProperties: false', undefined, { additionalProperties: false, properties: declared }],
  ])('%s → %s', (_case, extra, schema) => {
    const layout = layoutOf('t', schema, [['id']]);
    expect(layout.extra).toBe(extra);
    expect(layout.columns.filter((c) => c.name === extra)).toEqual(extra ? [{ name: extra, type: 'JSON' }] : []);
  });

  it('exists even under additionalProperties: false when a declared property could not have a column', () => {
    const layout = layoutOf('t', { additionalProperties: false, properties: { email: { type: 'string' }, Email: { type: 'string' } } }, []);
    expect(layout.skipped).toEqual(['Email']);
    expect(layout.extra).toBe('_cio_extra');
  });

  it('takes the next free name when a schema declares _cio_extra itself (in any case)', () => {
    expect(extraName(['id', 'name'])).toBe('_cio_extra');
    expect(extraName(['id', '_CIO_Extra'])).toBe('_cio_extra_2');
    expect(extraName(['_cio_extra', '_cio_extra_2'])).toBe('_cio_extra_3');
    const layout = layoutOf('t', { properties: { id: { type: 'integer' }, _cio_extra: { type: 'string' } } }, [['id']]);
    expect(layout.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['id BIGINT', '_cio_extra VARCHAR', '_cio_extra_2 JSON']);
    expect(ownFields(layout)).toEqual(['id', '_cio_extra']);
  });

  it('leaves out every field with a column (key columns too), the deletion marker, and nothing else', () => {
    const layout = layoutOf('t', { properties: { name: { type: 'string' }, _ab_cdc_deleted_at: { type: 'string' } } }, [['meta', 'id'], ['slug']]);
    expect(ownFields(layout)).toEqual(['name', 'meta', 'slug']);
    expect(extraExpression(layout, '_raw')).toBe(
      `nullif(json_merge_patch(_raw, '{"name":null,"meta":null,"slug":null,"_ab_cdc_deleted_at":null}'), CAST('{}' AS JSON))`,
    );
  });

  it('quotes field names that hold quotes in the patch it removes them with', () => {
    const layout = layoutOf('t', { properties: { "it's": { type: 'string' }, 'a "b"': { type: 'string' } } }, []);
    expect(extraExpression(layout, 's._raw')).toBe(`nullif(json_merge_patch(s._raw, '{"it''s":null,"a \\"b\\"":null,"_ab_cdc_deleted_at":null}'), CAST('{}' AS JSON))`);
  });

  it('is a JSON column of the table, after the declared ones and before _extracted_at', () => {
    const layout = layoutOf('t', { properties: declared }, [['id']]);
    expect(createTableSql(layout)).toBe('CREATE TABLE "t" ("id" BIGINT, "name" VARCHAR, "_cio_extra" JSON, "_extracted_at" TIMESTAMPTZ)');
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
