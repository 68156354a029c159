/**
 * Deletes a destination actually applies: two incremental reads of every delete-tracking stream by the built CLI
 * against the sandbox (whose clock advance deletes one object of each kind, and the actions of a deleted campaign
 * and broadcast with it), landed by Airbyte's own dedup rule (test/helpers/airbyte-dedup.ts). The deleted rows are
 * gone from the tables and every live object is still there. A deletion record without the stream's cursor would
 * rank below the live row (nulls last) and leave the deleted object in the warehouse.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { ListKind } from '../../src/sandbox/types.js';
import { DedupedTable, type AirbyteRecord } from '../helpers/airbyte-dedup.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';

const STREAMS: Array<{ name: ListKind; primaryKey: string[][]; cursorField: string }> = [
  { name: 'campaigns', primaryKey: [['id']], cursorField: 'updated' },
  { name: 'campaign_actions', primaryKey: [['id']], cursorField: 'updated' },
  { name: 'newsletters', primaryKey: [['id']], cursorField: 'updated' },
  { name: 'broadcasts', primaryKey: [['id']], cursorField: 'updated' },
  { name: 'broadcast_actions', primaryKey: [['broadcast_id'], ['id']], cursorField: 'updated' },
  { name: 'segments', primaryKey: [['id']], cursorField: 'updated_at' },
  { name: 'transactional_messages', primaryKey: [['id']], cursorField: 'updated_at' },
  { name: 'snippets', primaryKey: [['name']], cursorField: 'updated_at' },
];

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 5, sizes: { campaigns: 5, broadcasts: 4, actionsPerBroadcast: 3 } });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

/** The action ids a campaign_actions memory holds (each entry `[campaign_id, id]`: where to look the action up). */
const actionIds = (ids: unknown[]) => new Set(ids.map((entry) => String(Array.isArray(entry) ? entry.at(-1) : entry)));

const recordsOf = (result: CliResult, stream: string): AirbyteRecord[] =>
  result.recordMessages(stream).map((m) => ({ data: m.record.data, emitted_at: m.record.emitted_at }));

it('lands two reads in tables where, by Airbyte\'s dedup rule, every deleted object is gone and every live one is there', async () => {
  const catalog = configuredCatalog(STREAMS.map((s) => ({ name: s.name, syncMode: 'incremental' as const })));
  const tables = new Map(STREAMS.map((s) => [s.name, new DedupedTable(s)]));

  // The connector's clock where the sandbox's stands: deletions are dated by it.
  const first = await runCli(['read'], { config, catalog }, { env: { CIO_TEST_CLOCK: String(sb.now() + 60) } });
  expect(first.exitCode).toBe(0);
  for (const s of STREAMS) tables.get(s.name)!.applySync(recordsOf(first, s.name));

  sb.advance(6 * 3600); // deletes one object of each kind, edits others
  const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: { CIO_TEST_CLOCK: String(sb.now() + 60) } });
  expect(second.exitCode).toBe(0);

  for (const s of STREAMS) {
    const table = tables.get(s.name)!;
    const deletions = second.records(s.name).filter((r) => r._ab_cdc_deleted_at);
    expect({ stream: s.name, deletions: deletions.length > 0 }).toEqual({ stream: s.name, deletions: true });
    // Each deletion names the stream's cursor, the time of the deletion in the cursor's own form.
    for (const deletion of deletions) expect({ stream: s.name, cursor: typeof deletion[s.cursorField] }).toEqual({ stream: s.name, cursor: 'number' });
    table.applySync(recordsOf(second, s.name));
    const live = sb.expected.listRecords(s.name).map((record) => table.keyOf(record)).sort();
    expect({ stream: s.name, keys: table.keys() }).toEqual({ stream: s.name, keys: live });
    for (const deletion of deletions) expect(table.get(table.keyOf(deletion))).toBeUndefined();
  }
});

describe('a read killed after a STATE in its middle', () => {
  let killed: Sandbox;
  afterAll(() => killed?.close());

  it('resumes from that STATE and still reports every deletion since the last complete read', async () => {
    // Enough actions for several pages per campaign (10 a page), so the read has a middle to be killed in.
    killed = await startSandbox({ seed: 11, sizes: { campaigns: 6, actionsPerCampaign: 35 } });
    const cfg = { app_api_key: 'sandbox-us-key', api_base_url: killed.url };
    const catalog = configuredCatalog([{ name: 'campaign_actions', syncMode: 'incremental' }]);
    const clock = () => ({ CIO_TEST_CLOCK: String(killed.now() + 60) });
    const complete = await runCli(['read'], { config: cfg, catalog }, { env: clock() });
    expect(complete.exitCode).toBe(0);
    const remembered = actionIds(complete.lastState('campaign_actions')!.ids as unknown[]);
    expect(remembered.size).toBe(6 * 35);

    killed.advance(6 * 3600); // deletes a campaign (and its actions) and an action of another, edits a quarter
    const gone = [...remembered].filter((id) => !new Set(killed.expected.listRecords('campaign_actions').map((a) => String(a.id))).has(id));
    expect(gone.length).toBeGreaterThan(1);

    // A STATE after every page that printed something, however large (the delete memory makes it ~1.5 KB): then
    // SIGKILL right after the first one, in the middle of the stream.
    const env = { ...clock(), CIO_CHECKPOINT_RECORDS: '1', CIO_CHECKPOINT_STATE_SHARE: '1000' };
    const stopped = await runCli(['read'], { config: cfg, catalog, state: complete.finalState() }, {
      env,
      onMessage: (message, child) => {
        if (message.type === 'STATE') child.kill('SIGKILL');
      },
    });
    expect(stopped.signal).toBe('SIGKILL');
    expect(stopped.statuses('campaign_actions')).not.toContain('COMPLETE');
    expect(stopped.records('campaign_actions').filter((r) => r._ab_cdc_deleted_at)).toEqual([]);
    // The STATE the platform keeps holds the last complete read's memory, not only this read's cursors.
    expect(actionIds(stopped.lastState('campaign_actions')!.ids as unknown[])).toEqual(remembered);

    const resumed = await runCli(['read'], { config: cfg, catalog, state: stopped.finalState() }, { env: clock() });
    expect(resumed.exitCode).toBe(0);
    const reported = resumed.records('campaign_actions').filter((r) => r._ab_cdc_deleted_at).map((r) => String(r.id));
    expect(reported.sort()).toEqual(gone.sort());
  });
});
