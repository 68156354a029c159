/** The load step's SQL as text: the typed batch reads every column, the catch-all included, out of the staged JSON. */
import { extraExpression, layoutOf } from '../../src/sync/layout.js';
import { deduplicateSql, insertLiveSql, misfitSql, sliceRanges, typedBatchSql, upsertCountsSql } from '../../src/sync/merge.js';

const layout = layoutOf('metrics', { additionalProperties: { type: ['integer', 'null'] }, properties: { id: { type: 'integer' }, sent: { type: ['integer', 'null'] } } }, [['id']]);

describe('the typed batch', () => {
  it('types declared fields from their JSON path and gathers the rest into the catch-all', () => {
    const sql = typedBatchSql(layout, '_cio_stage', '_cio_batch');
    expect(sql).toContain(`TRY_CAST(struct_extract(_cio_parsed, 'id') AS BIGINT) AS "id"`);
    expect(sql).toContain(`TRY_CAST(struct_extract(_cio_parsed, 'sent') AS BIGINT) AS "sent"`);
    expect(sql).toContain(`${extraExpression(layout, '_raw')} AS "_cio_extra"`);
  });

  it('parses each record once for all its columns and the deletion marker, not once per column', () => {
    const sql = typedBatchSql(layout, '_cio_stage', '_cio_batch');
    expect(sql.match(/json_transform\(/g)).toHaveLength(1);
    expect(sql).toContain(`json_transform(_raw, '{"id":"VARCHAR","sent":"VARCHAR","_ab_cdc_deleted_at":"VARCHAR"}') AS _cio_parsed`);
    expect(sql).not.toMatch(/json_extract/);
  });

  it('has no catch-all when the schema allows nothing more', () => {
    const closed = layoutOf('metrics', { additionalProperties: false, properties: { id: { type: 'integer' } } }, [['id']]);
    expect(typedBatchSql(closed, '_cio_stage', '_cio_batch')).not.toContain('json_merge_patch');
  });
});

describe('typing a batch in slices', () => {
  it.each<[number[], number, Array<[number, number]>]>([
    [[], 10, []],
    [[4, 4, 4], 10, [[0, 2], [2, 3]]],
    [[4, 4, 4], 12, [[0, 3]]],
    [[30, 2, 2, 30], 10, [[0, 1], [1, 3], [3, 4]]],
    [[5], 1, [[0, 1]]],
  ])('cuts records of lengths %j at %d characters into %j', (lengths, budget, ranges) => {
    expect(sliceRanges(lengths, budget)).toEqual(ranges);
  });

  it('creates the batch from the first slice and adds the others, each slice read by its arrival order', () => {
    expect(typedBatchSql(layout, '_cio_stage', '_cio_batch', [0, 5])).toMatch(/^CREATE OR REPLACE TEMP TABLE "_cio_batch" AS SELECT .* FROM "_cio_stage" WHERE _seq >= 0 AND _seq < 5\)$/);
    expect(typedBatchSql(layout, '_cio_stage', '_cio_batch', [5, 9], true)).toMatch(/^INSERT INTO "_cio_batch" SELECT .* WHERE _seq >= 5 AND _seq < 9\)$/);
  });

  it('flags misfits per row, counted before one row per key is kept', () => {
    expect(typedBatchSql(layout, '_cio_stage', '_cio_batch')).toContain(
      `(struct_extract(_cio_parsed, 'id') IS NOT NULL AND TRY_CAST(struct_extract(_cio_parsed, 'id') AS BIGINT) IS NULL) AS _cio_misfit_0`,
    );
    expect(misfitSql(layout, '_cio_batch')).toBe('SELECT count(*) FILTER (WHERE _cio_misfit_0) AS "id", count(*) FILTER (WHERE _cio_misfit_1) AS "sent" FROM "_cio_batch"');
    expect(deduplicateSql(layout, '_cio_batch')).toContain('row_number() OVER (PARTITION BY CAST(s."id" AS VARCHAR) ORDER BY _seq DESC) > 1');
    expect(deduplicateSql(layoutOf('events', { properties: { name: { type: 'string' } } }, []), '_cio_batch')).toBeUndefined();
  });
});

describe('applying a batch', () => {
  it('inserts the catch-all with the other columns and compares it when deciding a row changed', () => {
    expect(insertLiveSql(layout, 'metrics', '_cio_batch')).toBe(
      'INSERT INTO "metrics" ("id", "sent", "_cio_extra", "_extracted_at") SELECT "id", "sent", "_cio_extra", "_extracted_at" FROM "_cio_batch" WHERE NOT _deleted',
    );
    expect(upsertCountsSql(layout, 'metrics', '_cio_batch')).toContain('CAST(b."_cio_extra" AS VARCHAR)');
  });
});
