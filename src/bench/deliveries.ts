/**
 * Part 6, deliveries re-read by need (issue 16 part 3): the requests of incremental syncs of `messages` when every
 * sync re-reads the full 30-day lookback (as before messages_recent_lookback_hours: `messages_full_lookback_every_hours:
 * 0`) against a day of hourly syncs with the defaults (the last 24 hours before the cursor, the full lookback once a
 * day), side by side in one run against one sandbox.
 *
 * The sandbox serves `perDay` deliveries a day (30 × perDay in its 30 days, the same rate after) with no latency or
 * limit; its clock stands still during a sync and is advanced an hour between syncs, the connector's clock put there
 * by CIO_TEST_CLOCK. Requests are the sandbox's count per sync. A sync's requests are its pages (1000 deliveries a
 * page) plus one or two per window, so at a few tens of thousands a day the ratio is the one at a million a day
 * (pages scale with deliveries ÷ page size on both sides; the per-window requests are a few per sync).
 */
import { runConnector, type ConnectorResult } from './connector.js';
import { startSandboxProcess } from './sandbox-process.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** 2026-01-01T00:00:00Z: the sandbox's data ends here when the first sync runs. */
const START = 1_767_225_600;

export interface DeliveriesRun {
  perDay: number;
  /** Requests of one sync re-reading the full lookback, as every sync did before (an hour after the first read). */
  everyTimeRequests: number;
  everyTimeRecords: number;
  /** Requests of each hourly sync of the simulated day, in order (the first an hour after the first read). */
  hourly: number[];
  /** How many of them re-read the full lookback (their INFO line says so). */
  fullSyncs: number;
  /** Mean requests of an hourly sync ÷ everyTimeRequests (target ≤ 0.1). */
  ratio: number;
  seconds: number;
}

export async function runDeliveries(perDay: number): Promise<DeliveriesRun> {
  const started = Date.now();
  const sandbox = await startSandboxProcess({ sizes: { messages: perDay * 30 }, latencyMs: 0, rateLimit: false, now: START });
  try {
    const base = { app_api_key: 'sandbox-us-key', api_base_url: sandbox.url, start_date: new Date((START - 30 * DAY) * 1000).toISOString().replace('.000Z', 'Z') };
    const catalog = { streams: [{ stream: { name: 'messages', json_schema: {}, supported_sync_modes: ['incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' }] };
    let now = START;
    const sync = async (config: Record<string, unknown>, state: unknown) => {
      await sandbox.resetStats();
      const result = await runConnector({ config: { ...base, ...config }, catalog, state, keepState: true, env: { CIO_REQUESTS_PER_SECOND: 'off' }, clock: now });
      if (result.exitCode !== 0 || !result.lastState) throw new Error(`a sync of messages failed (exit ${result.exitCode}): ${result.stderr.slice(0, 1000)} ${JSON.stringify(result.others.slice(-3))}`);
      return { result, requests: (await sandbox.stats()).total, state: [stripped(result.lastState)] };
    };
    const advance = async () => {
      await sandbox.control('POST', `advance?seconds=${HOUR}`);
      now += HOUR;
    };

    // The first read (everything since start_date), then an hour later the sync as it was: the full lookback.
    const first = await sync({}, undefined);
    await advance();
    const everyTime = await sync({ messages_full_lookback_every_hours: 0 }, first.state);
    if (!rereadFull(everyTime.result)) throw new Error('the sync with messages_full_lookback_every_hours 0 did not re-read the full lookback');

    // From the same state, a day of hourly syncs with the defaults.
    const hourly: number[] = [];
    let fullSyncs = 0;
    let state = first.state;
    for (let hour = 1; hour <= 24; hour++) {
      if (hour > 1) await advance();
      const next = await sync({}, state);
      hourly.push(next.requests);
      if (rereadFull(next.result)) fullSyncs++;
      state = next.state;
    }
    const mean = hourly.reduce((a, b) => a + b, 0) / hourly.length;
    return {
      perDay,
      everyTimeRequests: everyTime.requests,
      everyTimeRecords: everyTime.result.records,
      hourly,
      fullSyncs,
      ratio: mean / everyTime.requests,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await sandbox.close();
  }
}

/** A STATE message's state as a platform hands it back (without the stats of the run that printed it). */
function stripped(state: unknown): unknown {
  const { type, stream } = state as { type: string; stream: unknown };
  return { type, stream };
}

/** Whether a sync's INFO line says it re-read the full lookback. */
function rereadFull(result: ConnectorResult): boolean {
  return result.others.some((m) => m.type === 'LOG' && /^messages: re-read the full lookback/.test(String(m.log?.message)));
}

/** The mean of the hourly syncs' requests. */
export const hourlyMean = (run: DeliveriesRun) => run.hourly.reduce((a, b) => a + b, 0) / run.hourly.length;
