/** The load step's SQL as text: the typed batch reads every column, the catch-all included, out of the staged JSON. */
import { extraExpression, layoutOf } from '../../src/sync/layout.js';
import { insertLiveSql, typedBatchSql, upsertCountsSql } from '../../src/sync/merge.js';

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

describe('applying a batch', () => {
  it('inserts the catch-all with the other columns and compares it when deciding a row changed', () => {
    expect(insertLiveSql(layout, 'metrics', '_cio_batch')).toBe(
      'INSERT INTO "metrics" ("id", "sent", "_cio_extra", "_extracted_at") SELECT "id", "sent", "_cio_extra", "_extracted_at" FROM "_cio_batch" WHERE NOT _deleted',
    );
    expect(upsertCountsSql(layout, 'metrics', '_cio_batch')).toContain('CAST(b."_cio_extra" AS VARCHAR)');
  });
});
