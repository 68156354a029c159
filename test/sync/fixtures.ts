/**
 * What the sync tests share: a small sandbox (few requests, so a whole sync takes seconds at 10 requests/s),
 * its config, catalogs, a temp DuckDB path, quiet IO that keeps what was written, and a read-only look
 * into the file.
 */
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch.js';
import { testClock } from '../../src/clock.js';
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { SyncOptions } from '../../src/sync/command.js';
import { Warehouse } from '../../src/sync/warehouse.js';

export const SMALL_SIZES = {
  activities: 300,
  customers: 250,
  segmentMembers: 200,
  messages: 300,
  deliveries: 200,
  transactionalMessages: 3,
  campaigns: 4,
  actionsPerCampaign: 12,
  newsletters: 4,
  broadcasts: 3,
  suppressions: 20,
};

/**
 * The connector's windowed streams (messages, deliveries) end their windows at the connector's clock: every sync
 * here puts it where the sandbox's stands (onSandboxClock in process, CIO_TEST_CLOCK for the CLI), read again after
 * every advance, so the sandbox's fixed clock is the only one (issue 21).
 */
export const startSmallSandbox = (options: { latencyMs?: number; keys?: Record<string, 'us' | 'eu'> } = {}): Promise<Sandbox> =>
  startSandbox({ seed: 42, sizes: SMALL_SIZES, ...options });

/** runSync's options with the connector's clock where the sandbox's stands now (as CIO_TEST_CLOCK would put it). */
export const onSandboxClock = (sb: Sandbox, options: SyncOptions = {}): SyncOptions => ({ ...options, clock: testClock(String(sb.now()))! });

export { sandboxClockEnv };

export const configFor = (sb: Sandbox, extra: Record<string, unknown> = {}) => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, ...extra });

export function catalogOf(streams: Record<string, 'incremental' | 'full_refresh'>) {
  return {
    streams: Object.entries(streams).map(([name, mode]) => ({
      stream: { name, json_schema: {}, supported_sync_modes: [mode] },
      sync_mode: mode,
      destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite',
    })),
  };
}

export const tempDuckdb = (): string => join(scratchDir('cio-sync-'), 'customerio.duckdb');

/** IO for runSync that keeps what was written. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t), isTTY: false } },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Opens the file, runs `look`, closes it (a sync needs the file to itself). */
export async function inFile<T>(path: string, look: (w: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await Warehouse.open(path);
  try {
    return await look(warehouse);
  } finally {
    warehouse.close();
  }
}

export async function idsOf(path: string, table: string, key = 'id'): Promise<string[]> {
  return inFile(path, async (w) => sorted((await w.rows(`SELECT CAST("${key}" AS VARCHAR) AS k FROM "${table}"`)).map((r) => String(r.k))));
}

export const sorted = (ids: Array<string | number>): string[] => ids.map(String).sort();
