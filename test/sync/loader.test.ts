/** The loader without a database: which writes a read's messages become, merging, backpressure, a failed write. */
import { Loader, type LoadPlan } from '../../src/sync/loader.js';
import { layoutOf } from '../../src/sync/layout.js';
import type { LoadCounts, StagedRecord, Warehouse } from '../../src/sync/warehouse.js';

const NONE: LoadCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, misfits: {} };

/** Records every call; each write waits until the test releases it. */
class FakeWarehouse {
  readonly path = '/tmp/fake.duckdb';
  readonly calls: Array<{ op: string; table: string; ids: unknown[]; state?: unknown }> = [];
  private releases: Array<() => void> = [];
  fail: Error | undefined;

  private async write(op: string, table: string, records: StagedRecord[], state?: unknown): Promise<void> {
    this.calls.push({ op, table, ids: records.map((r) => JSON.parse(r.json).id), state });
    await new Promise<void>((resolve) => this.releases.push(resolve));
    if (this.fail) throw this.fail;
  }
  /** Lets every waiting write finish; resolves once the loader has moved on. */
  async release(): Promise<void> {
    const waiting = this.releases;
    this.releases = [];
    waiting.forEach((r) => r());
    await new Promise((r) => setImmediate(r));
  }
  upsert = async (layout: { table: string }, records: StagedRecord[], state: unknown) => (await this.write('upsert', layout.table, records, state), { ...NONE, inserted: records.length });
  stage = async (layout: { table: string }, records: StagedRecord[]) => this.write('stage', layout.table, records);
  replace = async (layout: { table: string }, state: unknown) => (await this.write('replace', layout.table, [], state), NONE);
  discard = async (layout: { table: string }) => this.write('discard', layout.table, []);
}

const plans = new Map<string, LoadPlan>([
  ['campaigns', { layout: layoutOf('campaigns', {}, [['id']]), mode: 'upsert' }],
  ['workspaces', { layout: layoutOf('workspaces', {}, [['id']]), mode: 'replace' }],
]);

function setup(maxWaiting = 100) {
  const warehouse = new FakeWarehouse();
  const loader = new Loader(warehouse as unknown as Warehouse, plans, { maxWaiting });
  const record = (stream: string, id: number) => loader.record(stream, JSON.stringify({ id }), 0);
  return { warehouse, loader, record };
}

it('commits each STATE with the records before it, and merges STATEs that wait behind a write into one commit', async () => {
  const { warehouse, loader, record } = setup();
  record('campaigns', 1);
  loader.state('campaigns', { updated: 1 });
  // The first commit is running; the next two pages wait behind it and become one commit with the newer state.
  record('campaigns', 2);
  loader.state('campaigns', { updated: 2 });
  record('campaigns', 3);
  loader.state('campaigns', { updated: 3 });
  await warehouse.release();
  await warehouse.release();
  await loader.finish();
  expect(warehouse.calls).toEqual([
    { op: 'upsert', table: 'campaigns', ids: [1], state: { updated: 1 } },
    { op: 'upsert', table: 'campaigns', ids: [2, 3], state: { updated: 3 } },
  ]);
  expect(loader.stats.get('campaigns')).toMatchObject({ received: 3, committed: 3, inserted: 3 });
});

it('stages a replaced stream page by page and swaps it in with the last state only when the stream completes', async () => {
  const { warehouse, loader, record } = setup();
  record('workspaces', 1);
  loader.state('workspaces', {});
  await warehouse.release();
  record('workspaces', 2);
  loader.state('workspaces', { last: true });
  loader.ended('workspaces', true, 0);
  for (let i = 0; i < 3; i++) await warehouse.release();
  await loader.finish();
  expect(warehouse.calls.map((c) => c.op)).toEqual(['stage', 'stage', 'replace']);
  expect(warehouse.calls[2].state).toEqual({ last: true });
  expect(loader.stats.get('workspaces')!.phase).toBe('complete');
});

it('discards an unfinished replace and never writes records that no STATE covered', async () => {
  const { warehouse, loader, record } = setup();
  record('workspaces', 1);
  loader.state('workspaces', {});
  record('workspaces', 2);
  loader.ended('workspaces', false, 0);
  for (let i = 0; i < 2; i++) await warehouse.release();
  await loader.finish();
  expect(warehouse.calls.map((c) => `${c.op} ${c.ids.join(',')}`)).toEqual(['stage 1', 'discard ']);
  expect(loader.stats.get('workspaces')!.phase).toBe('failed');
});

it('holds the read back while too many records wait for the database, and lets it go once they are written', async () => {
  const { warehouse, loader, record } = setup(2);
  for (let id = 1; id <= 3; id++) record('campaigns', id);
  loader.state('campaigns', { updated: 3 });
  let released = false;
  const held = loader.drained().then(() => (released = true));
  await new Promise((r) => setImmediate(r));
  expect(released).toBe(false);
  await warehouse.release();
  await held;
  expect(released).toBe(true);
});

it('wants a state with a page once the records it holds would reach half of maxWaiting, across streams', () => {
  const { loader, record } = setup(100);
  expect(loader.wantsState(49)).toBe(false);
  for (let id = 1; id <= 30; id++) record('campaigns', id);
  for (let id = 1; id <= 15; id++) record('workspaces', id);
  expect(loader.wantsState(4)).toBe(false);
  expect(loader.wantsState(5)).toBe(true);
});

it('never holds a read for good whose STATEs come seldom: pages that want a state queue the writes drained() waits for', async () => {
  const { warehouse, loader, record } = setup(100);
  let id = 0;
  /** Records no state has covered yet, per stream (what no write will ever take without one). */
  const uncovered = new Map<string, number>();
  /** A page of 20 records of `stream`, with a state only when the loader wants one (as the Reader asks). */
  const page = (stream: string) => {
    const wanted = loader.wantsState(20);
    for (let i = 0; i < 20; i++) record(stream, ++id);
    uncovered.set(stream, (uncovered.get(stream) ?? 0) + 20);
    if (wanted) {
      loader.state(stream, { through: id });
      uncovered.set(stream, 0);
    }
  };
  page('campaigns');
  page('workspaces');
  // 40 records held, none covered: the read goes on, nothing is written yet.
  await expect(loader.drained()).resolves.toBeUndefined();
  expect(warehouse.calls).toEqual([]);
  for (const stream of ['campaigns', 'workspaces', 'campaigns', 'campaigns']) {
    page(stream);
    // What no state covers stays under half of maxWaiting: memory bounded, and never all that drained() waits on.
    expect([...uncovered.values()].reduce((a, b) => a + b, 0)).toBeLessThan(50);
  }
  // 120 records in: more than maxWaiting, so the read waits, and goes on once the writes queued with the states are done.
  let released = false;
  const held = loader.drained().then(() => (released = true));
  await new Promise((r) => setImmediate(r));
  expect(released).toBe(false);
  while (!released) await warehouse.release();
  await held;
  for (let i = 0; i < 3; i++) await warehouse.release();
  await loader.finish();
  expect(warehouse.calls.flatMap((c) => c.ids).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
});

it('stops the read once a write fails, and writes nothing after it', async () => {
  const { warehouse, loader, record } = setup();
  warehouse.fail = new Error('disk full');
  record('campaigns', 1);
  loader.state('campaigns', { updated: 1 });
  record('campaigns', 2);
  loader.state('campaigns', { updated: 2 });
  await warehouse.release();
  await loader.finish();
  expect(warehouse.calls).toHaveLength(1);
  await expect(loader.drained()).rejects.toThrow(/campaigns .*disk full/);
  expect(loader.stats.get('campaigns')).toMatchObject({ phase: 'failed', committed: 0 });
});

it('ignores messages of streams it was not asked to load (a parent read for its children)', async () => {
  const { warehouse, loader } = setup();
  loader.record('segments', '{"id":1}', 0);
  loader.state('segments', {});
  await loader.finish();
  expect(warehouse.calls).toEqual([]);
});
