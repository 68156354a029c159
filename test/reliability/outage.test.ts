/**
 * Issue 9, an outage longer than the retry budget: the streams still running end INCOMPLETE with a TRACE
 * ERROR `transient_error` that says what happened, after the last good STATE was printed; the exit code is
 * non-zero; a rerun from that state once the API is back completes the set (the union of both runs' records
 * equals the sandbox's ground truth, and neither run emits a record twice).
 */
import { sandboxClockEnv, startSandbox, type FaultRule, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import type { Message } from '../helpers/cli.js';
import { runRecorded } from './support/run.js';
import { coverage, duplicates, emittedKeys, expectedKeys } from './support/truth.js';

const STREAMS = ['activities', 'campaign_actions', 'messages', 'customers'];
const INCREMENTAL = new Set(['activities', 'campaign_actions', 'messages']);
const catalog = configuredCatalog(STREAMS.map((name) => ({ name, syncMode: INCREMENTAL.has(name) ? 'incremental' : 'full_refresh' })));
// A short budget: 4 attempts a request, waits of a few ms.
const env = { CIO_MAX_TRIES: '4', CIO_BACKOFF_BASE_MS: '5', CIO_BACKOFF_MAX_MS: '20', CIO_REQUEST_TIMEOUT_MS: '1000' };

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 11, sizes: { activities: 500, customers: 600, campaigns: 4, actionsPerCampaign: 25, messages: 400 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

const streamOf = (m: Message): string | undefined =>
  m.record?.stream ?? m.state?.stream?.stream_descriptor?.name ?? m.trace?.stream_status?.stream_descriptor?.name ?? m.trace?.error?.stream_descriptor?.name;

describe.each<[string, FaultRule, RegExp]>([
  ['every request answering 503', { kind: 'status', status: 503, after: 14 }, /503/],
  ['every connection reset', { kind: 'reset', after: 14 }, /network error/],
])('an outage longer than the retry budget: %s', (_name, rule, what) => {
  it('ends the unfinished streams INCOMPLETE after their last STATE, says so in a transient_error, exits non-zero; a rerun completes the set', async () => {
    sb.setFaults([rule]);
    const first = await runRecorded(['read'], { config, catalog }, { env: { ...sandboxClockEnv(sb), ...env } });
    expect(first.exitCode).not.toBe(0);

    const failed = STREAMS.filter((s) => first.statuses(s).at(-1) === 'INCOMPLETE');
    expect(failed.length).toBeGreaterThan(0);
    for (const stream of STREAMS) expect(['COMPLETE', 'INCOMPLETE']).toContain(first.statuses(stream).at(-1));
    for (const stream of failed) {
      const errors = first.errors.filter((e) => e.stream_descriptor?.name === stream);
      expect(errors).toHaveLength(1);
      expect(errors[0].failure_type).toBe('transient_error');
      expect(errors[0].message).toMatch(what);
      expect(errors[0].message).toMatch(/after 4 attempts/);
      expect(errors[0].message).toMatch(/again later/);
      // The stream's messages from its last STATE to its ERROR hold no RECORD: that STATE covers everything printed.
      const own = first.messages.filter((m) => streamOf(m) === stream);
      const errorAt = own.findIndex((m) => m.trace?.type === 'ERROR');
      const before = own.slice(0, errorAt);
      const lastState = before.map((m) => m.type).lastIndexOf('STATE');
      if (before.some((m) => m.type === 'RECORD')) expect(lastState).toBeGreaterThanOrEqual(0);
      expect(before.slice(lastState + 1).filter((m) => m.type === 'RECORD')).toEqual([]);
    }
    // No ERROR of any other kind: an outage is transient, never the user's config.
    expect(first.errors.map((e) => e.failure_type).filter((t) => t !== 'transient_error')).toEqual([]);

    sb.setFaults([]);
    const second = await runRecorded(['read'], { config, catalog, state: first.finalState() }, { env: { ...sandboxClockEnv(sb), ...env } });
    expect(second.errors).toEqual([]);
    expect(second.exitCode).toBe(0);
    for (const stream of STREAMS) {
      expect(second.statuses(stream).at(-1)).toBe('COMPLETE');
      expect(duplicates(emittedKeys(first, stream))).toEqual([]);
      expect(duplicates(emittedKeys(second, stream))).toEqual([]);
      const { missing, unexpected } = coverage([first, second], stream, expectedKeys(sb, stream));
      expect({ stream, missing, unexpected }).toEqual({ stream, missing: [], unexpected: [] });
    }
  });
});
