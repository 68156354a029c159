/**
 * Issue 9, SIGTERM during a read: the connector prints what a platform needs to resume (each stream's last
 * STATE already covers every RECORD it printed), a TRACE ERROR and INCOMPLETE for the unfinished streams,
 * and exits promptly — also while a request hangs or a retry waits. A rerun from the final state completes
 * the set.
 */
import { sandboxClockEnv, startSandbox, type FaultRule, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import type { CliResult, Message } from '../helpers/cli.js';
import { runRecorded } from './support/run.js';
import { coverage, duplicates, emittedKeys, expectedKeys } from './support/truth.js';

const STREAMS = ['activities', 'campaign_actions', 'messages', 'customers'];
const INCREMENTAL = new Set(['activities', 'campaign_actions', 'messages']);
const catalog = configuredCatalog(STREAMS.map((name) => ({ name, syncMode: INCREMENTAL.has(name) ? 'incremental' : 'full_refresh' })));

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 13, sizes: { activities: 1500, customers: 1000, campaigns: 5, actionsPerCampaign: 40, messages: 1000 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.setFaults([]);
  sb.setLatency(0);
});

const streamOf = (m: Message): string | undefined =>
  m.record?.stream ?? m.state?.stream?.stream_descriptor?.name ?? m.trace?.stream_status?.stream_descriptor?.name;

/**
 * Runs a read and sends SIGTERM after the `records`-th RECORD, or (`stuck`) once the read has printed that many,
 * `stuck()` says the fault has taken hold, and the read has gone quiet for a second — in a hanging request or a
 * retry's wait. Resolves with the result and the ms from the signal to the exit. (Records, not STATEs: STATEs come
 * every 1,000 records or 30 s, so a signal usually meets records no STATE covers yet.)
 */
async function readUntilTerminated(records: number, options: { stuck?: () => boolean; env?: Record<string, string> } = {}): Promise<{ result: CliResult; exitMs: number }> {
  let signalledAt = 0;
  let seen = 0;
  let lastMessageAt = Date.now();
  let child: { kill: (signal: NodeJS.Signals) => boolean } | undefined;
  const terminate = () => {
    if (signalledAt || !child) return;
    signalledAt = Date.now();
    child.kill('SIGTERM');
  };
  const watch = setInterval(() => {
    if (options.stuck && seen >= records && options.stuck() && Date.now() - lastMessageAt > 1000) terminate();
  }, 100);
  try {
    const result = await runRecorded(['read'], { config, catalog }, {
      env: { ...sandboxClockEnv(sb), ...options.env },
      onMessage: (m, running) => {
        child = running;
        lastMessageAt = Date.now();
        if (m.type === 'RECORD' && ++seen === records && !options.stuck) terminate();
      },
    });
    expect(signalledAt).toBeGreaterThan(0);
    return { result, exitMs: Date.now() - signalledAt };
  } finally {
    clearInterval(watch);
  }
}

function expectConsistentStop(result: CliResult, exitMs: number): void {
  expect(result.exitCode).toBe(143);
  expect(exitMs).toBeLessThan(10_000);
  const errors = result.errors;
  expect(errors).toHaveLength(1);
  expect(errors[0].failure_type).toBe('transient_error');
  expect(errors[0].message).toMatch(/termination signal/);
  for (const stream of STREAMS) {
    const statuses = result.statuses(stream);
    expect(['COMPLETE', 'INCOMPLETE']).toContain(statuses.at(-1));
    // Whatever the stream printed is covered by its last STATE: no RECORD after it.
    const own = result.messages.filter((m) => streamOf(m) === stream);
    const lastState = own.map((m) => m.type).lastIndexOf('STATE');
    expect(own.slice(lastState + 1).filter((m) => m.type === 'RECORD')).toEqual([]);
    expect(duplicates(emittedKeys(result, stream))).toEqual([]);
  }
  expect(STREAMS.some((s) => result.statuses(s).at(-1) === 'INCOMPLETE')).toBe(true);
}

async function expectRerunCompletes(first: CliResult): Promise<void> {
  const second = await runRecorded(['read'], { config, catalog, state: first.finalState() }, { env: sandboxClockEnv(sb) });
  expect(second.errors).toEqual([]);
  expect(second.exitCode).toBe(0);
  for (const stream of STREAMS) {
    expect(duplicates(emittedKeys(second, stream))).toEqual([]);
    const { missing, unexpected } = coverage([first, second], stream, expectedKeys(sb, stream));
    expect({ stream, missing, unexpected }).toEqual({ stream, missing: [], unexpected: [] });
  }
}

describe('SIGTERM during a read', () => {
  it('in the middle of paging: the last STATE of each stream covers its records, exit 143 promptly, a rerun completes the set', async () => {
    sb.setLatency(20);
    const { result, exitMs } = await readUntilTerminated(500);
    expect(result.records().length).toBeGreaterThan(0);
    expectConsistentStop(result, exitMs);
    await expectRerunCompletes(result);
  });

  it.each<[string, FaultRule[], Record<string, string>, (stats: ReturnType<Sandbox['stats']>) => boolean]>([
    [
      'while requests hang for a minute',
      [{ kind: 'latency', ms: 60_000, after: 6 }],
      { CIO_REQUEST_TIMEOUT_MS: '120000' },
      // The sandbox counts a request once answered: the 6 let through are, the ones after hang.
      (stats) => stats.total === 6,
    ],
    [
      'while retries wait a minute',
      [{ kind: 'status', status: 503, after: 6 }],
      { CIO_BACKOFF_BASE_MS: '60000', CIO_BACKOFF_MAX_MS: '60000' },
      (stats) => (stats.faults.status ?? 0) > 0,
    ],
  ])('%s: exits promptly with the same guarantees', async (_name, faults, env, stuck) => {
    sb.setFaults(faults);
    sb.resetStats();
    const { result, exitMs } = await readUntilTerminated(1, { stuck: () => stuck(sb.stats()), env });
    expect(stuck(sb.stats())).toBe(true);
    expectConsistentStop(result, exitMs);
    sb.setFaults([]);
    await expectRerunCompletes(result);
  });
});
