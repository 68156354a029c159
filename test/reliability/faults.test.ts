/**
 * Issue 9, faults: a sync that meets a flaky API finishes with every record. Each case injects one kind of
 * fault into the sandbox for a share of the requests (its PRNG is seeded, so a run is reproducible up to the
 * order requests arrive in) and reads four streams that cover GET and POST, parents, a second request per
 * page (customers' attributes) and time windows. The records are checked by primary key against the
 * sandbox's ground truth: nothing lost, nothing emitted twice.
 */
import { sandboxClockEnv, startSandbox, type FaultRule, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { FAST_RETRIES, runRecorded } from './support/run.js';
import { coverage, duplicates, emittedKeys, expectedKeys } from './support/truth.js';

const STREAMS = ['activities', 'customers', 'campaign_actions', 'messages'];
const SIZES = { activities: 400, customers: 600, campaigns: 3, actionsPerCampaign: 25, messages: 300 };

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  // The sandbox's own rate limit is off: these cases inject 429s on purpose (one case turns it back on).
  sb = await startSandbox({ seed: 9, sizes: SIZES, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.setFaults([]);
  sb.setRateLimit(false);
  sb.resetStats();
});

interface FaultCase {
  faults: FaultRule[];
  /** Fault kinds that must have fired (else the case proved nothing). */
  fired: string[];
  env?: Record<string, string>;
  /** Turn the sandbox's real per-key limiter on at this many requests per second. */
  serverLimit?: number;
}

const CASES: Array<[string, FaultCase]> = [
  // Every 429 also slows the whole read's pace for a while (limiter.ts): a storm of 8 costs seconds, not more.
  ['a storm of 429s with Retry-After', { faults: [{ kind: 'rate_limit', after: 4, count: 8 }], fired: ['rate_limit'] }],
  ['429s without Retry-After', { faults: [{ kind: 'rate_limit', share: 0.15, retryAfter: false }], fired: ['rate_limit'] }],
  [
    // Retry-After (1 s) honoured in full: the backoff ceiling is above it.
    'the server limiting the key to 4 requests/s while the connector is set to 10',
    { faults: [], fired: [], serverLimit: 4, env: { CIO_BACKOFF_MAX_MS: '1500' } },
  ],
  [
    'bursts of 500, 502, 503 and 504',
    {
      faults: [
        { kind: 'status', status: 500, share: 0.08 },
        { kind: 'status', status: 502, share: 0.08 },
        { kind: 'status', status: 503, share: 0.08, retryAfter: true },
        { kind: 'status', status: 504, share: 0.08 },
        // and one unbroken burst early on
        { kind: 'status', status: 503, after: 3, count: 5 },
      ],
      fired: ['status'],
    },
  ],
  ['connection resets', { faults: [{ kind: 'reset', share: 0.3 }], fired: ['reset'] }],
  ['responses cut off mid-body', { faults: [{ kind: 'truncate', share: 0.3 }], fired: ['truncate'] }],
  ['invalid JSON with a 200', { faults: [{ kind: 'invalid_json', share: 0.3 }], fired: ['invalid_json'] }],
  [
    'latency spikes past the request timeout',
    { faults: [{ kind: 'latency', ms: 4000, share: 0.25 }], fired: ['latency'], env: { CIO_REQUEST_TIMEOUT_MS: '800' } },
  ],
  [
    'every fault at once',
    {
      faults: [
        { kind: 'rate_limit', share: 0.06 },
        { kind: 'status', status: 502, share: 0.06 },
        { kind: 'reset', share: 0.06 },
        { kind: 'truncate', share: 0.06 },
        { kind: 'invalid_json', share: 0.06 },
        { kind: 'latency', ms: 4000, share: 0.05 },
      ],
      fired: ['rate_limit', 'status', 'reset', 'truncate', 'invalid_json', 'latency'],
      env: { CIO_REQUEST_TIMEOUT_MS: '800' },
    },
  ],
];

describe('a read that meets a flaky API', () => {
  it.each(CASES)('survives %s: every stream COMPLETE, every record once, exit 0', async (_name, c) => {
    sb.setFaults(c.faults);
    if (c.serverLimit) sb.setRateLimit({ perSecond: c.serverLimit, retryAfter: true });
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(STREAMS) }, { env: { ...sandboxClockEnv(sb), ...c.env } });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const stats = sb.stats();
    for (const kind of c.fired) expect(stats.faults[kind] ?? 0).toBeGreaterThan(0);
    if (c.serverLimit) expect(stats.rateLimited).toBeGreaterThan(0);

    for (const stream of STREAMS) {
      expect(result.statuses(stream)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
      expect(duplicates(emittedKeys(result, stream))).toEqual([]);
      const { missing, unexpected, total } = coverage([result], stream, expectedKeys(sb, stream));
      expect({ stream, missing, unexpected }).toEqual({ stream, missing: [], unexpected: [] });
      expect(total).toBeGreaterThan(0);
    }

    // The retries were real and their waits bounded: every planned wait is within the backoff ceiling.
    const ceiling = Number(c.env?.CIO_BACKOFF_MAX_MS ?? FAST_RETRIES.CIO_BACKOFF_MAX_MS);
    const waits = result.logs().flatMap((m) => [...m.matchAll(/retry \d+ of \d+ in (\d+) ms/g)].map((x) => Number(x[1])));
    expect(waits.length).toBeGreaterThan(0);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(ceiling);
  });
});
