/** The DuckDB layer on its own: upserts, replaces, deletions, state in the same transaction, leftovers of a killed run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutOf } from '../../src/sync/layout.js';
import { Warehouse, type StagedRecord } from '../../src/sync/warehouse.js';

const schema = {
  type: 'object',
  properties: {
    id: { type: ['integer', 'null'] },
    name: { type: ['string', 'null'] },
    active: { type: ['boolean', 'null'] },
    updated: { type: ['integer', 'null'] },
    tags: { type: ['array', 'null'] },
    attributes: { type: ['object', 'null'] },
    _ab_cdc_deleted_at: { type: ['string', 'null'] },
  },
};
const layout = layoutOf('campaigns', schema, [['id']]);
const at = Date.UTC(2026, 0, 1);
const staged = (...records: object[]): StagedRecord[] => records.map((r) => ({ json: JSON.stringify(r), emittedAt: at }));

let dir: string;
let warehouse: Warehouse;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cio-wh-'));
  warehouse = await Warehouse.open(join(dir, 'test.duckdb'));
});
afterEach(() => {
  warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('upsert', () => {
  it('inserts typed rows, keeps nested values queryable as JSON and stores the state beside them', async () => {
    const effective = await warehouse.prepareUpsert(layout);
    const counts = await warehouse.upsert(effective, staged({ id: 1, name: 'Welcome', active: true, updated: 100, tags: ['a', 'b'], attributes: { plan: { tier: 'gold' } } }, { id: '2', name: 'Later' }), { updated: 100 });
    expect(counts).toMatchObject({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
    const rows = await warehouse.rows(`SELECT id, active, attributes->>'$.plan.tier' AS tier, json_array_length(tags) AS n, _extracted_at FROM campaigns ORDER BY id`);
    expect(rows[0]).toMatchObject({ id: '1', active: true, tier: 'gold', n: '2' });
    // The id that came as a string is an integer like the others.
    expect(rows[1]).toMatchObject({ id: '2', active: null, tier: null });
    expect(String(rows[0]._extracted_at)).toMatch(/^2026-01-01/);
    expect((await warehouse.states()).get('campaigns')).toEqual({ updated: 100 });
  });

  it('updates changed rows, counts unchanged ones, deletes rows marked _ab_cdc_deleted_at and leaves one row per key', async () => {
    const effective = await warehouse.prepareUpsert(layout);
    await warehouse.upsert(effective, staged({ id: 1, name: 'one' }, { id: 2, name: 'two' }, { id: 3, name: 'three' }), { updated: 1 });
    const counts = await warehouse.upsert(
      effective,
      staged({ id: 1, name: 'one, renamed' }, { id: 2, name: 'two' }, { id: 3, _ab_cdc_deleted_at: '2026-01-01T00:00:00Z' }, { id: 4, name: 'four' }, { id: 9, _ab_cdc_deleted_at: '2026-01-01T00:00:00Z' }),
      { updated: 2 },
    );
    expect(counts).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, deleted: 1 });
    const rows = await warehouse.rows('SELECT id, name FROM campaigns ORDER BY id');
    expect(rows).toEqual([
      { id: '1', name: 'one, renamed' },
      { id: '2', name: 'two' },
      { id: '4', name: 'four' },
    ]);
    expect((await warehouse.states()).get('campaigns')).toEqual({ updated: 2 });
  });

  it('keeps the last record of a key within one batch', async () => {
    const effective = await warehouse.prepareUpsert(layout);
    await warehouse.upsert(effective, staged({ id: 5, name: 'first' }, { id: 5, name: 'second' }), {});
    expect(await warehouse.rows('SELECT name FROM campaigns')).toEqual([{ name: 'second' }]);
  });

  it('rolls back rows and state together when a batch fails', async () => {
    const effective = await warehouse.prepareUpsert(layout);
    await warehouse.upsert(effective, staged({ id: 1, name: 'kept' }), { updated: 1 });
    // A table that vanished under the sync makes the batch fail after its rows were staged.
    const broken = { ...effective, table: 'no_such_table' };
    await expect(warehouse.upsert(broken, staged({ id: 2, name: 'lost' }), { updated: 2 })).rejects.toThrow(/no_such_table/);
    expect((await warehouse.states()).get('no_such_table')).toBeUndefined();
    expect(await warehouse.count('campaigns')).toBe(1);
    // Nothing of the failed batch lingers in the stage to leak into the next one.
    const counts = await warehouse.upsert(effective, staged({ id: 3, name: 'next' }), { updated: 3 });
    expect(counts.inserted).toBe(1);
    expect(await warehouse.rows('SELECT id FROM campaigns ORDER BY id')).toEqual([{ id: '1' }, { id: '3' }]);
  });

  it('counts values that do not fit their column and stores them as NULL', async () => {
    const effective = await warehouse.prepareUpsert(layout);
    const counts = await warehouse.upsert(effective, staged({ id: 1, active: 'sometimes', updated: 'yesterday' }), {});
    expect(counts.misfits).toEqual({ active: 1, updated: 1 });
    expect(await warehouse.rows('SELECT active, updated FROM campaigns')).toEqual([{ active: null, updated: null }]);
  });

  it('reads every field by its exact name, whatever characters the name holds', async () => {
    const names = ['*', 'a.b', "it's", 'q"uote', 'first name', '$', 'back\\slash'];
    const odd = layoutOf('odd', { additionalProperties: false, properties: Object.fromEntries([['id', { type: 'integer' }], ...names.map((n) => [n, { type: 'string' }])]) }, [['id']]);
    const record = Object.fromEntries([['id', 1], ...names.map((n, i) => [n, `value ${i}`])]);
    await warehouse.upsert(await warehouse.prepareUpsert(odd), staged(record), {});
    const [row] = await warehouse.rows(`SELECT * EXCLUDE (_extracted_at) FROM odd`);
    expect(row).toEqual({ id: '1', ...Object.fromEntries(names.map((n, i) => [n, `value ${i}`])) });
  });

  it('deletes by the exact marker _ab_cdc_deleted_at even when a column has its name in another case', async () => {
    const upper = layoutOf('upper', { properties: { id: { type: 'integer' }, _AB_CDC_DELETED_AT: { type: 'string' } } }, [['id']]);
    const effective = await warehouse.prepareUpsert(upper);
    await warehouse.upsert(effective, staged({ id: 1 }, { id: 2, _AB_CDC_DELETED_AT: 'a field, not the marker' }), {});
    await warehouse.upsert(effective, staged({ id: 1, _ab_cdc_deleted_at: '2026-01-01T00:00:00Z' }), {});
    expect(await warehouse.rows(`SELECT id, "_AB_CDC_DELETED_AT" AS f FROM upper ORDER BY id`)).toEqual([{ id: '2', f: 'a field, not the marker' }]);
  });

  it('types a batch of large records in slices and still keeps the last record of a key and counts every misfit', async () => {
    // ~400 KB a record: the 1 MiB slices put two or three records in each.
    const big = (id: number, name: string, extra: object = {}) => ({ id, name, attributes: { note: 'x'.repeat(400_000) }, ...extra });
    const records = [big(1, 'first'), big(2, 'two', { updated: 'never' }), big(1, 'second'), big(3, 'three'), big(2, 'two again', { updated: 'soon' }), big(1, 'last')];
    const counts = await warehouse.upsert(await warehouse.prepareUpsert(layout), staged(...records), {});
    expect(counts).toMatchObject({ inserted: 3, misfits: { updated: 2 } });
    expect(await warehouse.rows(`SELECT id, name, length(attributes->>'$.note') AS n FROM campaigns ORDER BY id`)).toEqual([
      { id: '1', name: 'last', n: '400000' },
      { id: '2', name: 'two again', n: '400000' },
      { id: '3', name: 'three', n: '400000' },
    ]);
  });

  it('adds the columns a schema gained since the table was created', async () => {
    await warehouse.prepareUpsert(layoutOf('campaigns', { properties: { id: { type: 'integer' } } }, [['id']]));
    const effective = await warehouse.prepareUpsert(layout);
    await warehouse.upsert(effective, staged({ id: 1, name: 'new column' }), {});
    expect(await warehouse.rows('SELECT name FROM campaigns')).toEqual([{ name: 'new column' }]);
  });
});

describe('the catch-all column _cio_extra', () => {
  const declared = layoutOf('metrics', { additionalProperties: { type: ['integer', 'null'] }, properties: { id: { type: 'integer' }, sent: { type: ['integer', 'null'] } } }, [['id']]);
  const extraOf = async (table: string) =>
    (await warehouse.rows(`SELECT id, CAST(_cio_extra AS VARCHAR) AS extra FROM "${table}" ORDER BY id`)).map((r) => ({ id: r.id, extra: r.extra === null ? null : JSON.parse(String(r.extra)) }));

  it('holds exactly the fields without a column of their own, their nulls and nested values as they came, NULL when there are none', async () => {
    const effective = await warehouse.prepareUpsert(declared);
    await warehouse.upsert(effective, staged({ id: 1, sent: 5, human_opened: 3, later: null, nested: { a: null, b: [1, { c: 'x' }] } }, { id: 2, sent: 7 }), {});
    expect(await extraOf('metrics')).toEqual([
      { id: '1', extra: { human_opened: 3, later: null, nested: { a: null, b: [1, { c: 'x' }] } } },
      { id: '2', extra: null },
    ]);
    expect(await warehouse.rows(`SELECT _cio_extra->>'$.human_opened' AS n FROM metrics WHERE id = 1`)).toEqual([{ n: '3' }]);
  });

  it('keeps a field whose name differs only in case from a column, which has no column of its own', async () => {
    const layout = layoutOf('people', { properties: { id: { type: 'integer' }, email: { type: 'string' }, Email: { type: 'string' } } }, [['id']]);
    await warehouse.upsert(await warehouse.prepareUpsert(layout), staged({ id: 1, email: 'a@example.com', Email: 'A@example.com' }), {});
    expect(await warehouse.rows(`SELECT email, CAST(_cio_extra AS VARCHAR) AS extra FROM people`)).toEqual([{ email: 'a@example.com', extra: '{"Email":"A@example.com"}' }]);
  });

  it('is added to a table an older sync created without it, and counts a row whose extra fields changed as updated', async () => {
    // An older sync's table: the declared columns and _extracted_at only.
    await warehouse.run('CREATE TABLE metrics (id BIGINT, sent BIGINT, _extracted_at TIMESTAMPTZ)');
    await warehouse.run(`INSERT INTO metrics VALUES (1, 5, now())`);
    const effective = await warehouse.prepareUpsert(declared);
    expect((await warehouse.rows(`SELECT column_name FROM information_schema.columns WHERE table_name = 'metrics' ORDER BY ordinal_position`)).map((r) => r.column_name)).toEqual([
      'id',
      'sent',
      '_extracted_at',
      '_cio_extra',
    ]);
    const counts = await warehouse.upsert(effective, staged({ id: 1, sent: 5, human_opened: 3 }, { id: 2, sent: 1 }), {});
    expect(counts).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    expect(await extraOf('metrics')).toEqual([
      { id: '1', extra: { human_opened: 3 } },
      { id: '2', extra: null },
    ]);
  });

  it('is swapped in with a replaced table', async () => {
    const layout = layoutOf('custom', { additionalProperties: true, properties: { id: { type: ['string', 'integer'] } } }, [['id']]);
    await warehouse.stage(layout, staged({ id: 'a', name: 'A', tags: ['x'] }, { id: 'b' }));
    await warehouse.replace(layout, {});
    expect(await warehouse.rows(`SELECT id, CAST(_cio_extra AS VARCHAR) AS extra, _data->>'$.name' AS name FROM custom ORDER BY id`)).toEqual([
      { id: 'a', extra: '{"name":"A","tags":["x"]}', name: 'A' },
      { id: 'b', extra: null, name: null },
    ]);
  });
});

describe('replace', () => {
  const workspaces = layoutOf('workspaces', { properties: { id: { type: 'integer' }, name: { type: 'string' } } }, [['id']]);

  it('swaps in the staged rows and reports what changed against the old table', async () => {
    await warehouse.stage(workspaces, staged({ id: 1, name: 'a' }, { id: 2, name: 'b' }));
    expect(await warehouse.replace(workspaces, {})).toMatchObject({ inserted: 2, updated: 0, deleted: 0 });
    await warehouse.stage(workspaces, staged({ id: 1, name: 'a' }));
    await warehouse.stage(workspaces, staged({ id: 2, name: 'b2' }, { id: 3, name: 'c' }));
    expect(await warehouse.replace(workspaces, {})).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, deleted: 0 });
    await warehouse.stage(workspaces, staged({ id: 3, name: 'c' }));
    expect(await warehouse.replace(workspaces, {})).toMatchObject({ inserted: 0, unchanged: 1, deleted: 2 });
    expect(await warehouse.rows('SELECT id, name FROM workspaces')).toEqual([{ id: '3', name: 'c' }]);
  });

  it('keeps the last record of a key across batches, deletes a key a later batch marks deleted, and counts misfits of every batch', async () => {
    await warehouse.stage(layout, staged({ id: 1, name: 'first' }, { id: 2, name: 'two' }, { id: 3, updated: 'soon' }));
    await warehouse.stage(layout, staged({ id: 1, name: 'last' }, { id: 2, _ab_cdc_deleted_at: '2026-01-01T00:00:00Z' }, { id: 4, updated: 'later' }));
    await warehouse.stage(layout, staged({ id: 3, name: 'three', active: 'maybe' }));
    const counts = await warehouse.replace(layout, {});
    expect(counts).toMatchObject({ inserted: 3, misfits: { updated: 2, active: 1 } });
    expect(await warehouse.rows('SELECT id, name FROM campaigns ORDER BY id')).toEqual([
      { id: '1', name: 'last' },
      { id: '3', name: 'three' },
      { id: '4', name: null },
    ]);
  });

  it('leaves the old table untouched when an unfinished replace is discarded', async () => {
    await warehouse.stage(workspaces, staged({ id: 1, name: 'old' }));
    await warehouse.replace(workspaces, { v: 1 });
    await warehouse.stage(workspaces, staged({ id: 2, name: 'half of a new set' }));
    await warehouse.discard(workspaces);
    expect(await warehouse.rows('SELECT id, name FROM workspaces')).toEqual([{ id: '1', name: 'old' }]);
    expect((await warehouse.states()).get('workspaces')).toEqual({ v: 1 });
  });

  it('drops the load tables a killed sync left behind when the file is opened again', async () => {
    await warehouse.stage(workspaces, staged({ id: 1, name: 'old' }));
    await warehouse.replace(workspaces, {});
    await warehouse.stage(workspaces, staged({ id: 2, name: 'never finished' }));
    warehouse.close();
    warehouse = await Warehouse.open(join(dir, 'test.duckdb'));
    const tables = await warehouse.rows(`SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name`);
    expect(tables.map((t) => t.table_name)).toEqual(['_state', 'workspaces']);
    // The next replace starts from an empty load table, not from the killed run's rows.
    await warehouse.stage(workspaces, staged({ id: 3, name: 'fresh' }));
    await warehouse.replace(workspaces, {});
    expect(await warehouse.rows('SELECT id FROM workspaces')).toEqual([{ id: '3' }]);
  });
});
