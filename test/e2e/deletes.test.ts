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
