/**
 * `sync` still deletes what vanished, now that deletion records carry the stream's cursor: two syncs of every
 * delete-tracking stream around a sandbox clock advance (one object of each kind deleted, the actions of a deleted
 * campaign and broadcast with it) leave each table with exactly the live objects.
 */
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ListKind } from '../../src/sandbox/types.js';
import { runSync } from '../../src/sync/command.js';
import { captureIo, catalogOf, configFor, inFile, onSandboxClock, sorted, startSmallSandbox, tempDuckdb } from './fixtures.js';

const KEYS: Record<ListKind, string[]> = {
  campaigns: ['id'],
  campaign_actions: ['id'],
  newsletters: ['id'],
  broadcasts: ['id'],
  broadcast_actions: ['broadcast_id', 'id'],
  segments: ['id'],
  transactional_messages: ['id'],
  snippets: ['name'],
};

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSmallSandbox();
});
afterAll(() => sb.close());

it('leaves every delete-tracking table with exactly the objects still live after a second sync', async () => {
  const path = tempDuckdb();
  const catalog = catalogOf(Object.fromEntries(Object.keys(KEYS).map((name) => [name, 'incremental' as const])));
  expect((await runSync({ rawConfig: configFor(sb), rawCatalog: catalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb))).exitCode).toBe(0);
  sb.advance(6 * 3600);
  const second = await runSync({ rawConfig: configFor(sb), rawCatalog: catalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
  expect(second.exitCode).toBe(0);
  await inFile(path, async (w) => {
    for (const [stream, key] of Object.entries(KEYS) as Array<[ListKind, string[]]>) {
      const keyText = key.map((field) => `CAST("${field}" AS VARCHAR)`).join(` || '|' || `);
      const rows = sorted((await w.rows(`SELECT ${keyText} AS k FROM "${stream}"`)).map((r) => String(r.k)));
      const live = sorted(sb.expected.listRecords(stream).map((record) => key.map((field) => String(record[field])).join('|')));
      expect({ stream, rows }).toEqual({ stream, rows: live });
    }
  });
  expect(second.rows.filter((r) => r.deleted > 0).map((r) => r.stream).sort()).toEqual(Object.keys(KEYS).sort());
});
