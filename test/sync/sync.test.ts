/**
 * `sync` against the sandbox, in-process: the DuckDB file holds what the sandbox serves, a second sync
 * after the clock moved upserts, a failed full refresh leaves the previous table, nested fields query as JSON.
 */
import { existsSync } from 'node:fs';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/command.js';
import { captureIo, catalogOf, configFor, idsOf, inFile, onSandboxClock, sorted, startSmallSandbox, tempDuckdb } from './fixtures.js';

const FAST_FAILURE = { maxTries: 1, backoffBaseMs: 1, backoffMaxMs: 1 };

let sb: Sandbox;
beforeEach(async () => {
  sb = await startSmallSandbox();
});
afterEach(async () => {
  await sb.close();
});

describe('a first sync of every stream', () => {
  it('lands each stream in a table with exactly the sandbox row count, and a state row beside it', async () => {
    const path = tempDuckdb();
    const out = captureIo();
    const result = await runSync({ rawConfig: configFor(sb), duckdbPath: path }, out.io, onSandboxClock(sb, { progress: { tty: false } }));
    expect(result.exitCode).toBe(0);
    const expected = sb.expected.counts() as Record<string, number>;
    const compared = result.rows.filter((r) => expected[r.stream] !== undefined);
    // Every stream the sandbox counts is checked (and the sandbox counts most of them).
    expect(compared.length).toBeGreaterThan(15);
    for (const row of compared) expect({ stream: row.stream, rows: row.rows }).toEqual({ stream: row.stream, rows: expected[row.stream] });
    await inFile(path, async (w) => {
      for (const row of compared) expect(await w.count(row.stream)).toBe(expected[row.stream]);
      const states = await w.states();
      expect(sorted([...states.keys()])).toEqual(sorted(result.rows.map((r) => r.stream)));
      const [{ missing }] = await w.rows('SELECT count(*) FILTER (WHERE _extracted_at IS NULL) AS missing FROM campaigns');
      expect(missing).toBe('0');
    });
    expect(out.stdout()).toMatch(/Synced \d+ of \d+ streams into .*customerio\.duckdb/);
    expect(out.stdout()).toContain('duckdb ');
    expect(out.stderr()).toMatch(/✓ campaigns: \d+ records/);
  });

  it('keeps nested objects and arrays queryable as JSON', async () => {
    const path = tempDuckdb();
    await runSync({ rawConfig: configFor(sb), rawCatalog: catalogOf({ customers: 'full_refresh', campaigns: 'incremental' }), duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    await inFile(path, async (w) => {
      const [people] = await w.rows(`SELECT count(*) AS n, count(*) FILTER (WHERE identifiers->>'$.cio_id' = cio_id) AS matching, json_type(any_value(attributes)) AS kind FROM customers`);
      expect(Number(people.n)).toBe(sb.expected.counts().customers);
      expect(people.matching).toBe(people.n);
      expect(people.kind).toBe('OBJECT');
      const campaigns = await w.rows(`SELECT id, json_array_length(actions) AS actions FROM campaigns WHERE actions IS NOT NULL`);
      expect(campaigns.length).toBeGreaterThan(0);
      for (const c of campaigns) expect(Number(c.actions)).toBeGreaterThan(0);
    });
  });
});

describe('a --catalog with a cursor_field', () => {
  it('is synced when the cursor_field is the stream\'s own cursor (as platforms send it)', async () => {
    const path = tempDuckdb();
    const rawCatalog = catalogOf({ campaigns: 'incremental' });
    (rawCatalog.streams[0] as Record<string, unknown>).cursor_field = ['updated'];
    const result = await runSync({ rawConfig: configFor(sb), rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    expect(result.exitCode).toBe(0);
    await inFile(path, async (w) => expect(await w.count('campaigns')).toBe(sb.expected.counts().campaigns));
  });

  it('is refused as a config_error when it names another field, before the DuckDB file is created', async () => {
    const path = tempDuckdb();
    const rawCatalog = catalogOf({ campaigns: 'incremental' });
    (rawCatalog.streams[0] as Record<string, unknown>).cursor_field = ['created'];
    await expect(runSync({ rawConfig: configFor(sb), rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb))).rejects.toMatchObject({
      failureType: 'config_error',
      message: expect.stringMatching(/^Stream "campaigns" is read incrementally by its own cursor \["updated"\]; the catalog asks for cursor_field \["created"\]/),
    });
    expect(existsSync(path)).toBe(false);
  });
});

describe('custom streams', () => {
  it('land with their key column and the whole record as JSON', async () => {
    const path = tempDuckdb();
    const rawConfig = configFor(sb, { custom_streams: [{ name: 'my_topics', path: '/subscription_topics', records_path: '$.topics[*]', primary_key: ['id'] }] });
    const result = await runSync({ rawConfig, rawCatalog: catalogOf({ my_topics: 'full_refresh' }), duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    expect(result.exitCode).toBe(0);
    await inFile(path, async (w) => {
      const rows = await w.rows(`SELECT id, _data->>'$.name' AS name, CAST(_data->>'$.id' AS VARCHAR) AS data_id FROM my_topics ORDER BY id`);
      expect(rows).toHaveLength(sb.expected.counts().subscription_topics);
      for (const row of rows) expect({ name: typeof row.name, same: row.data_id === String(row.id) }).toEqual({ name: 'string', same: true });
    });
  });
});

describe('a second sync after the sandbox clock moved', () => {
  const streams = { campaigns: 'incremental', newsletters: 'incremental', broadcasts: 'incremental', activities: 'incremental', workspaces: 'full_refresh' } as const;

  it('upserts: one row per key, the newest values, vanished records deleted, old activities kept', async () => {
    const path = tempDuckdb();
    const rawConfig = configFor(sb);
    const rawCatalog = catalogOf(streams);
    await runSync({ rawConfig, rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    const firstActivities = sb.expected.activityIds({ includeDeleted: true });
    const deletedBefore = sb.expected.deletedIds('campaigns');
    sb.advance(3 * 3600);
    const second = await runSync({ rawConfig, rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    expect(second.exitCode).toBe(0);

    const gone = sb.expected.deletedIds('campaigns').filter((id) => !deletedBefore.includes(id));
    expect(gone.length).toBeGreaterThan(0);
    expect(await idsOf(path, 'campaigns')).toEqual(sorted(sb.expected.listIds('campaigns')));
    const truth = new Map(sb.expected.listRecords('campaigns').map((r) => [String(r.id), Number(r.updated)]));
    await inFile(path, async (w) => {
      for (const table of Object.keys(streams)) {
        const [dupes] = await w.rows(`SELECT count(*) - count(DISTINCT id) AS extra FROM "${table}"`);
        expect({ table, extra: dupes.extra }).toEqual({ table, extra: '0' });
      }
      for (const row of await w.rows('SELECT CAST(id AS VARCHAR) AS id, updated FROM campaigns')) expect(Number(row.updated)).toBe(truth.get(String(row.id)));
    });
    const campaigns = second.rows.find((r) => r.stream === 'campaigns')!;
    expect(campaigns.deleted).toBe(gone.length);
    expect(campaigns.updated).toBeGreaterThan(0);
    // The warehouse keeps history: activities from both reads, each once.
    expect(await idsOf(path, 'activities')).toEqual(sorted([...new Set([...firstActivities, ...sb.expected.activityIds({ includeDeleted: true })])]));
    expect(second.rows.find((r) => r.stream === 'activities')!.inserted).toBeGreaterThan(0);
  });

  it('resumes from the state in the file: the second sync asks for less than the first', async () => {
    const path = tempDuckdb();
    const rawCatalog = catalogOf({ activities: 'incremental' });
    await runSync({ rawConfig: configFor(sb), rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    const firstRequests = sb.stats().total;
    sb.resetStats();
    sb.advance(600);
    await runSync({ rawConfig: configFor(sb), rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    expect(sb.stats().total).toBeLessThan(firstRequests);
    const [state] = await inFile(path, (w) => w.rows(`SELECT CAST(state AS VARCHAR) AS s FROM _state WHERE stream = 'activities'`));
    expect(JSON.parse(String(state.s))).toHaveProperty('partitions');
  });
});

describe('failures', () => {
  it('a failed full refresh leaves the previous table and its state as they were', async () => {
    const path = tempDuckdb();
    const rawConfig = configFor(sb);
    const rawCatalog = catalogOf({ newsletter_variants: 'full_refresh', campaigns: 'incremental' });
    await runSync({ rawConfig, rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    const snapshot = () => inFile(path, async (w) => ({ rows: await w.rows('SELECT * EXCLUDE (_extracted_at) FROM newsletter_variants ORDER BY ALL'), state: (await w.states()).get('newsletter_variants') }));
    const before = await snapshot();
    expect(before.rows.length).toBeGreaterThan(0);

    sb.advance(3600);
    // The second newsletter's contents fail: the stream is half read when it stops.
    sb.setFaults([{ path: '/v1/newsletters/*/contents', kind: 'status', status: 500, after: 1 }]);
    const out = captureIo();
    const second = await runSync({ rawConfig, rawCatalog, duckdbPath: path, fullRefresh: true }, out.io, onSandboxClock(sb, { http: FAST_FAILURE }));
    expect(second.exitCode).toBe(1);
    expect(second.rows.find((r) => r.stream === 'newsletter_variants')!.phase).toBe('failed');
    expect(await snapshot()).toEqual(before);
    // The other stream's full refresh went through: the deleted campaign is gone from its rebuilt table.
    expect(second.rows.find((r) => r.stream === 'campaigns')!.phase).toBe('complete');
    expect(await idsOf(path, 'campaigns')).toEqual(sorted(sb.expected.listIds('campaigns')));
    expect(out.stdout()).toContain('FAILED (table kept)');
  });

  it('a sync that cannot reach the API changes nothing in the file', async () => {
    const path = tempDuckdb();
    const rawCatalog = catalogOf({ workspaces: 'full_refresh', campaigns: 'incremental' });
    await runSync({ rawConfig: configFor(sb), rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb));
    const before = await inFile(path, async (w) => ({ workspaces: await w.count('workspaces'), states: [...(await w.states()).entries()] }));
    const dead = await runSync({ rawConfig: { app_api_key: 'sandbox-us-key', api_base_url: 'http://127.0.0.1:9/v1' }, rawCatalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb, { http: FAST_FAILURE }));
    expect(dead.exitCode).toBe(1);
    expect(dead.rows.every((r) => r.phase === 'failed')).toBe(true);
    const after = await inFile(path, async (w) => ({ workspaces: await w.count('workspaces'), states: [...(await w.states()).entries()] }));
    expect(after).toEqual(before);
  });
});
