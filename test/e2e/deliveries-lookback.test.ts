/**
 * messages re-read by need, with the built CLI against the sandbox (1000 deliveries a day): hourly syncs re-read the
 * last 24 hours before their cursor, the sync a day after the last full re-read re-reads the full 30 days (back from
 * that re-read), and a full re-read killed midway is not recorded, so the next sync re-reads in full again.
 * The connector's clock is put at the sandbox's (CIO_TEST_CLOCK), which is advanced an hour at a time.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult, type Message } from '../helpers/cli.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const catalog = configuredCatalog([{ name: 'messages', syncMode: 'incremental' }]);

/** The start_ts of every /v1/messages request since the last reset (the windows asked, each from a second before it). */
function startsAsked(sb: Sandbox): number[] {
  return sb
    .stats()
    .requests.filter((r) => r.endpoint === 'GET /v1/messages')
    .map((r) => Number(new URLSearchParams(r.query).get('start_ts')));
}

describe('messages: the recent lookback on hourly syncs, the full one once a day', () => {
  let sb: Sandbox;
  let config: Record<string, unknown>;
  const sync = async (state: unknown, options: { env?: Record<string, string>; onMessage?: (m: Message, child: import('node:child_process').ChildProcess) => void } = {}): Promise<CliResult> => {
    sb.resetStats();
    return runCli(['read'], { config, catalog, state }, { env: { CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off', ...options.env }, onMessage: options.onMessage });
  };
  const partition = (result: CliResult) => result.lastState('messages')?.partitions?.all as { created: number; full_lookback_read_at?: number };

  beforeAll(async () => {
    sb = await startSandbox({ seed: 21, rateLimit: false, sizes: { messages: 30 * 1000 } });
    config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url, start_date: new Date((sb.now() - 30 * DAY) * 1000).toISOString() };
  });
  afterAll(() => sb.close());

  it('re-reads 24 hours an hour later, the full lookback a day after the first read, and a killed full re-read again', async () => {
    const start = sb.now();
    const first = await sync(undefined);
    expect(first.exitCode).toBe(0);
    const afterFirst = partition(first);
    // A first read covers the whole lookback: its time is kept beside the cursor.
    expect(afterFirst.full_lookback_read_at).toBeGreaterThanOrEqual(start);
    expect(afterFirst.created).toBeGreaterThanOrEqual(start);

    sb.advance(HOUR);
    const hourly = await sync(first.finalState());
    expect(hourly.exitCode).toBe(0);
    expect(Math.min(...startsAsked(sb))).toBe(afterFirst.created - DAY - 1);
    expect(partition(hourly).full_lookback_read_at).toBe(afterFirst.full_lookback_read_at);
    expect(hourly.logs('INFO')).toContainEqual(expect.stringMatching(/^messages: re-read 24 hours before the cursor of 1 partition; the full lookback of these is next due in about 2[23](\.\d)? hours$/));
    // Everything new since the first read, and the day before it again: every delivery created then, none older.
    const ids = new Set(hourly.records('messages').map((r) => String(r.id)));
    expect(ids).toEqual(new Set(sb.expected.messageIds({ startTs: afterFirst.created - DAY })));

    // A day after the first read: the full 30 days, reaching back from that read. Killed after its first STATE.
    sb.advance(23 * HOUR);
    sb.setLatency(100);
    const before = partition(hourly);
    let killed = false;
    const stopped = await sync(hourly.finalState(), {
      onMessage: (message, child) => {
        if (!killed && message.type === 'STATE') {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    sb.setLatency(0);
    expect(stopped.signal).toBe('SIGKILL');
    expect(Math.min(...startsAsked(sb))).toBe(afterFirst.full_lookback_read_at! - 30 * DAY - 1);
    for (const state of stopped.states('messages')) {
      const saved = state.state.stream.stream_state.partitions.all;
      expect(saved.full_lookback_read_at).toBe(before.full_lookback_read_at);
      expect(saved.created).toBeGreaterThanOrEqual(before.created);
    }

    // Resumed from what the killed sync left: a full re-read again, this time recorded.
    const resumed = await sync(stopped.finalState());
    expect(resumed.exitCode).toBe(0);
    expect(Math.min(...startsAsked(sb))).toBe(afterFirst.full_lookback_read_at! - 30 * DAY - 1);
    expect(resumed.logs('INFO')).toContain('messages: re-read the full lookback (30 days before the cursor) of 1 partition, due every 24 hours');
    expect(partition(resumed).full_lookback_read_at).toBeGreaterThanOrEqual(sb.now());
    // 31 days of deliveries (the ground truth narrows a span to 30 days like the API: asked in two).
    const from = afterFirst.full_lookback_read_at! - 30 * DAY;
    const truth = [...sb.expected.messageIds({ startTs: from, endTs: from + 30 * DAY - 1 }), ...sb.expected.messageIds({ startTs: from + 30 * DAY - 1 })];
    expect(new Set(resumed.records('messages').map((r) => String(r.id)))).toEqual(new Set(truth));
    // Many reads of 30,000 deliveries: near the default 60 s on a loaded machine (seen at 62 s in a full run).
  }, 120_000);
});
