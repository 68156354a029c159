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

  it('adds the columns a schema gained since the table was created', async () => {
    await warehouse.prepareUpsert(layoutOf('campaigns', { properties: { id: { type: 'integer' } } }, [['id']]));
    const effective = await warehouse.prepareUpsert(layout);
    await warehouse.upsert(effective, staged({ id: 1, name: 'new column' }), {});
    expect(await warehouse.rows('SELECT name FROM campaigns')).toEqual([{ name: 'new column' }]);
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
