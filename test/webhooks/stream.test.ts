/**
 * reporting_events end to end: the sandbox posts its deliveries' events to receivers (in this process), the built
 * CLI reads them back — over the read API or from a store's folder, in full or incrementally, from one receiver or
 * two behind a load balancer — and `sync` lands them. A gap, another store and a wrong token fail loudly.
 */
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { Receiver } from '../../src/webhooks/server.js';
import { DedupedTable } from '../helpers/airbyte-dedup.js';
import { runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { event, KEY, post, READ_TOKEN, startReceiver } from './helpers.js';

const STREAM = 'reporting_events';
let sb: Sandbox;
const receivers: Receiver[] = [];

beforeAll(async () => {
  sb = await startSandbox({ sizes: { messages: 3000, deliveries: 300 } });
});
afterAll(async () => {
  await sb.close();
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close(100);
});

async function receiver(fields: Record<string, unknown> = {}): Promise<Receiver> {
  const r = await startReceiver(fields);
  receivers.push(r);
  return r;
}

const configFor = (urls: string[], more: Record<string, unknown> = {}) => ({ app_api_key: 'never-used-key', reporting_webhook_receivers: urls, reporting_webhook_read_token: READ_TOKEN, ...more });
const catalog = (mode: 'full_refresh' | 'incremental') => ({
  streams: [{ stream: { name: STREAM, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite', cursor_field: ['position'] }],
});
/** The per-stream state file of a read's last STATE. */
const stateOf = (state: Record<string, unknown>) => [{ type: 'STREAM', stream: { stream_descriptor: { name: STREAM }, stream_state: state } }];

it('is offered only with a receiver or a store folder, keyed by event_id, incremental by position', async () => {
  const without = await runCli(['discover'], { config: { app_api_key: 'k' } });
  expect(without.ofType('CATALOG')[0].catalog.streams.map((s: { name: string }) => s.name)).not.toContain(STREAM);
  const withOne = await runCli(['discover'], { config: configFor(['http://cio-webhooks:8080']) });
  const stream = withOne.ofType('CATALOG')[0].catalog.streams.find((s: { name: string }) => s.name === STREAM);
  expect(stream).toMatchObject({ source_defined_primary_key: [['event_id']], source_defined_cursor: true, default_cursor_field: ['position'], supported_sync_modes: ['full_refresh', 'incremental'] });
  const publicHttp = await runCli(['discover'], { config: configFor(['http://webhooks.example.com']) });
  expect(publicHttp.exitCode).toBe(1);
  expect(publicHttp.errors[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/must use https:\/\//) });
  const noToken = await runCli(['discover'], { config: { app_api_key: 'k', reporting_webhook_receivers: ['http://cio-webhooks:8080'] } });
  expect(noToken.errors[0].message).toMatch(/"reporting_webhook_read_token" is required/);
});

it('reads every event the sandbox posted, then incrementally only the new ones, with a STATE per receiver', async () => {
  const r = await receiver();
  const sender = sb.startWebhooks({ url: `${r.url}${r.config.path}`, signingKey: KEY });
  sb.advance(6 * 3600);
  await sender.flush();
  const stored = new Set(sender.delivered);
  expect(stored.size).toBeGreaterThan(20);

  const first = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental') });
  expect(first.errors).toEqual([]);
  const rows = first.records(STREAM);
  // One row per event: the sandbox's duplicates were answered 2xx and not stored again.
  expect(rows.map((row) => row.event_id).sort()).toEqual([...stored].sort());
  const positions = rows.map((row) => row.position as number);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(rows.every((row) => row.receiver === r.holder.journal!.storeId && row.flags.length === 0 && typeof row.metric === 'string' && row.data.delivery_id === row.delivery_id)).toBe(true);
  const state = first.lastState(STREAM)!;
  expect(state).toEqual({ partitions: { [r.url]: { position: positions.at(-1), receiver: r.holder.journal!.storeId } } });

  sb.advance(3 * 3600);
  await sender.flush();
  const second = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental'), state: stateOf(state) });
  const newRows = second.records(STREAM);
  expect(newRows.length).toBeGreaterThan(0);
  expect(newRows.every((row) => !stored.has(row.event_id as string) && (row.position as number) > positions.at(-1)!)).toBe(true);
  expect(new Set([...rows, ...newRows].map((row) => row.event_id)).size).toBe(new Set(sender.delivered).size);
  const third = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental'), state: stateOf(second.lastState(STREAM)!) });
  expect(third.records(STREAM)).toEqual([]);
  expect(third.statuses(STREAM).at(-1)).toBe('COMPLETE');

  // A full refresh reads everything kept, whatever the state.
  const full = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('full_refresh') });
  expect(full.records(STREAM)).toHaveLength(rows.length + newRows.length);
});

it('reads two receivers behind a load balancer together, each from its own position; a destination keeps one row per event', async () => {
  const a = await receiver();
  const b = await receiver();
  // A load balancer sends each event to one receiver; the retry of one answered too late may land on the other.
  const events = Array.from({ length: 40 }, () => JSON.stringify(event()));
  for (const [i, body] of events.entries()) await post(i % 2 ? b : a, body);
  await post(b, events[0]);
  await post(a, events[1]);
  const config = configFor([a.url, b.url]);
  const read = await runCli(['read'], { config, catalog: catalog('incremental') });
  expect(read.errors).toEqual([]);
  const messages = read.recordMessages(STREAM);
  expect(messages).toHaveLength(42);
  const table = new DedupedTable({ primaryKey: [['event_id']], cursorField: 'position' });
  table.applySync(messages.map((m) => ({ data: m.record.data, emitted_at: m.record.emitted_at })));
  expect(table.keys()).toHaveLength(40);
  const state = read.lastState(STREAM)!;
  expect(Object.keys(state.partitions).sort()).toEqual([a.url, b.url].sort());
  expect(state.partitions[a.url].receiver).toBe(a.holder.journal!.storeId);
  expect(state.partitions[b.url].receiver).toBe(b.holder.journal!.storeId);
  await post(b, JSON.stringify(event()));
  const next = await runCli(['read'], { config, catalog: catalog('incremental'), state: stateOf(state) });
  expect(next.records(STREAM)).toHaveLength(1);
});

it('reads a store’s folder directly, the same rows as over its read API', async () => {
  const r = await receiver();
  for (let i = 0; i < 15; i++) await post(r, JSON.stringify(event()));
  await post(r, 'not JSON at all');
  const api = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental') });
  const folder = await runCli(['read'], { config: { app_api_key: 'k', reporting_webhook_store_folders: [r.config.storeDir] }, catalog: catalog('incremental') });
  expect(folder.errors).toEqual([]);
  expect(folder.records(STREAM)).toEqual(api.records(STREAM));
  expect(folder.records(STREAM).at(-1)).toMatchObject({ body: 'not JSON at all', flags: ['not_json', 'no_event_id'], object_type: null });
  expect(Object.keys(folder.lastState(STREAM)!.partitions)).toEqual([`folder:${r.config.storeDir}`]);
});

it('fails loudly when retention outran the saved position, and goes on past the gap only when told to', async () => {
  const r = await receiver({ segment_bytes: 4096, retention_bytes: 8192 });
  await post(r, JSON.stringify(event()));
  const first = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental') });
  const state = stateOf(first.lastState(STREAM)!);
  for (let i = 0; i < 60; i++) await post(r, JSON.stringify(event('email', 'sent', { content: 'x'.repeat(200) })));
  await r.holder.journal!.enforceRetention();
  const failed = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental'), state });
  expect(failed.exitCode).toBe(1);
  expect(failed.statuses(STREAM).at(-1)).toBe('INCOMPLETE');
  expect(failed.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/no longer keeps the events after position \d+ \(its oldest is at \d+\).*reporting_events_accept_gaps/) })]);
  expect(failed.records(STREAM)).toEqual([]);
  const accepted = await runCli(['read'], { config: configFor([r.url], { reporting_events_accept_gaps: true }), catalog: catalog('incremental'), state });
  expect(accepted.exitCode).toBe(0);
  expect(accepted.logs('WARN').join('\n')).toMatch(/going on from \d+/);
  expect(accepted.records(STREAM).length).toBeGreaterThan(0);
});

it('fails loudly when the receiver serves another store than the saved position’s', async () => {
  const r = await receiver();
  await post(r, JSON.stringify(event()));
  const state = stateOf({ partitions: { [r.url]: { position: 0, receiver: 'a-store-that-was-replaced' } } });
  const failed = await runCli(['read'], { config: configFor([r.url]), catalog: catalog('incremental'), state });
  expect(failed.errors[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/now serves store .* not store a-store-that-was-replaced/) });
  const accepted = await runCli(['read'], { config: configFor([r.url], { reporting_events_accept_gaps: true }), catalog: catalog('incremental'), state });
  expect(accepted.records(STREAM)).toHaveLength(1);
  expect(accepted.lastState(STREAM)!.partitions[r.url].receiver).toBe(r.holder.journal!.storeId);
});

it('says the token is wrong, or the receiver unreachable, in one error each, and never prints the token', async () => {
  const r = await receiver();
  const wrong = await runCli(['read'], { config: { ...configFor([r.url]), reporting_webhook_read_token: 'not-the-read-token-but-long-enough' }, catalog: catalog('incremental') });
  expect(wrong.errors[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/refused the read token \(401\)/) });
  const down = await runCli(['read'], { config: configFor(['http://127.0.0.1:9']), catalog: catalog('incremental') }, { env: { CIO_MAX_TRIES: '2', CIO_BACKOFF_BASE_MS: '10' } });
  expect(down.errors[0]).toMatchObject({ failure_type: 'transient_error', message: expect.stringMatching(/did not answer after 2 attempts.*ECONNREFUSED/) });
  for (const run of [wrong, down]) expect(run.stdout + run.stderr).not.toContain(READ_TOKEN);
});

it('is landed by sync in its own table, one row per event', async () => {
  const r = await receiver();
  for (let i = 0; i < 12; i++) await post(r, JSON.stringify(event('sms', 'delivered')));
  const dir = scratchDir('cio-webhooks-sync-');
  const duckdb = join(dir, 'events.duckdb');
  const sync = await runCli(['sync', '--duckdb', duckdb], { config: configFor([r.url]), catalog: catalog('incremental') }, { raw: true });
  expect(sync.stderr).not.toMatch(/error:/);
  expect(sync.exitCode).toBe(0);
  await post(r, JSON.stringify(event('sms', 'clicked')));
  await runCli(['sync', '--duckdb', duckdb], { config: configFor([r.url]), catalog: catalog('incremental') }, { raw: true });
  const query = await runCli(['query', duckdb, `SELECT metric, count(*) AS n FROM ${STREAM} GROUP BY metric ORDER BY metric`, '--json'], {}, { raw: true });
  expect(query.exitCode).toBe(0);
  expect(query.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ metric: 'clicked', n: '1' }, { metric: 'delivered', n: '12' }]);
});
