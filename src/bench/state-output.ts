/**
 * Part 6, STATE output (issue 16 part 1): how many STATE messages an incremental `campaign_actions` read prints,
 * and how many bytes they hold, at two sizes of the same sandbox data (campaigns × actions per campaign), so the
 * growth from one size to the other can be set beside the growth of the records in the same run.
 *
 * Each size gets its own sandbox process (no latency, no limit; the connector's limiter lifted too: the figures
 * are counts and bytes, not times) and two reads, as a platform runs them:
 *   - the first read, with no state: every action printed, no delete memory yet;
 *   - the second read, from the first's last STATE, the sandbox's clock unchanged: the read. Every action is
 *     read again (the API has no time filter) but only each campaign's newest is printed again (the cursor is
 *     inclusive), and every STATE it prints carries the delete memory of the first read (`ids`: every action).
 * "Records read" is what the API answered for the stream (the sandbox's ground truth: every live action), which is
 * also what the first read prints; the delete memory and the per-campaign cursors grow with it.
 */
import { catalogOf, lastStates, runConnector, type ConnectorResult } from './connector.js';
import { startSandboxProcess } from './sandbox-process.js';

/** The sizes the issue measured: campaigns × actions per campaign. */
export const STATE_SIZES: ReadonlyArray<{ campaigns: number; actionsPerCampaign: number }> = [
  { campaigns: 100, actionsPerCampaign: 40 },
  { campaigns: 400, actionsPerCampaign: 50 },
];

export interface StateReadFigures {
  /** RECORD messages printed. */
  records: number;
  /** Records the API answered for the stream (every live action: no time filter). */
  recordsRead: number;
  states: number;
  stateBytes: number;
  /** Bytes of every line printed (RECORDs, STATEs, logs, statuses). */
  bytes: number;
}

export interface StateSizeRun {
  campaigns: number;
  actionsPerCampaign: number;
  first: StateReadFigures;
  second: StateReadFigures;
}

/** Both sizes, one after the other (one run of the part). */
export type StateRun = StateSizeRun[];

function incrementalCatalog(stream: string): unknown {
  const catalog = catalogOf([stream]) as { streams: Array<Record<string, unknown>> };
  for (const entry of catalog.streams) Object.assign(entry, { sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['updated'], primary_key: [['id']] });
  return catalog;
}

function figures(result: ConnectorResult, recordsRead: number, what: string): StateReadFigures {
  if (result.exitCode !== 0) throw new Error(`the ${what} read failed (exit ${result.exitCode}): ${result.stderr.slice(0, 1000)} ${JSON.stringify(result.others.slice(-3))}`);
  return { records: result.records, recordsRead, states: result.states, stateBytes: result.stateBytes, bytes: result.bytes };
}

export async function runStateSize(size: { campaigns: number; actionsPerCampaign: number }): Promise<StateSizeRun> {
  const sandbox = await startSandboxProcess({ sizes: size, latencyMs: 0, rateLimit: false, now: Math.floor(Date.now() / 1000) - 3600 });
  try {
    const config = { app_api_key: 'sandbox-us-key', api_base_url: sandbox.url };
    const catalog = incrementalCatalog('campaign_actions');
    const env = { CIO_REQUESTS_PER_SECOND: 'off' };
    const expected = (await sandbox.control('GET', 'expected')) as { counts: Record<string, number> };
    const recordsRead = expected.counts.campaign_actions;
    if (!(recordsRead > 0)) throw new Error(`the sandbox serves no campaign actions: ${JSON.stringify(expected.counts)}`);
    // An hour after the sandbox's clock, as when the sandbox started an hour behind the machine's: every edit in the past.
    const clock = sandbox.now + 3600;
    const first = await runConnector({ config, catalog, env, clock });
    const firstFigures = figures(first, recordsRead, 'first');
    const second = await runConnector({ config, catalog, env, clock, state: lastStates(first) });
    return { ...size, first: firstFigures, second: figures(second, recordsRead, 'second') };
  } finally {
    await sandbox.close();
  }
}

export async function runStateOutput(): Promise<StateRun> {
  const runs: StateRun = [];
  for (const size of STATE_SIZES) runs.push(await runStateSize(size));
  return runs;
}

/**
 * How much faster a read's STATE bytes grow than the records read, from the smaller size to the larger in one run:
 * (STATE bytes ratio) ÷ (records read ratio). 1 is linear; the 358 MB of the issue came from a quadratic 5.
 */
export function stateGrowth(run: StateRun, read: 'first' | 'second'): number {
  const [small, large] = [run[0][read], run[run.length - 1][read]];
  return large.stateBytes / small.stateBytes / (large.recordsRead / small.recordsRead);
}
