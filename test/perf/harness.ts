/**
 * In-process reads against the sandbox for the performance mechanism tests: the read command's own path
 * (runRead, so Reader.plan and every stream definition take part) with an HTTP client whose limiter the test
 * chooses, and an Output over a sink the test may slow down. No timings are asserted with these: the tests
 * look at what reached the API (sb.stats()) and what was printed.
 */
import { Writable } from 'node:stream';
import { testClock } from '../../src/clock.js';
import { runRead } from '../../src/commands.js';
import { parseConfig } from '../../src/config.js';
import { HttpClient } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { Output } from '../../src/protocol/output.js';
import { ProtocolSink } from '../../src/protocol/sink.js';
import type { Sandbox, SandboxRequestRecord } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export interface PerfRead {
  code: number;
  messages: Message[];
  http: HttpClient;
  /** Number of writes the sink received. */
  writes: number;
}

export interface PerfReadOptions {
  config?: Record<string, unknown>;
  /** The limiter's rate (default 1000: the limiter stays out of the way). */
  requestsPerSecond?: number;
  /** A limiter of the test's own, to watch it (overrides requestsPerSecond). */
  limiter?: RateLimiter;
  sink?: Writable;
}

export async function readStreams(sb: Sandbox, streams: string[], options: PerfReadOptions = {}): Promise<PerfRead> {
  const config = parseConfig({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, ...options.config });
  const http = new HttpClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, limiter: options.limiter ?? new RateLimiter({ requestsPerSecond: options.requestsPerSecond ?? 1000 }), maxTries: 4, backoffBaseMs: 50 });
  let text = '';
  let writes = 0;
  const sink =
    options.sink ??
    new Writable({
      write(chunk, _encoding, done) {
        writes++;
        text += String(chunk);
        done();
      },
    });
  const output = new Output(sink);
  // The connector on the sandbox's clock (issue 21), running at the machine's pace from there as CIO_TEST_CLOCK would.
  const clock = testClock(String(sb.now()))!;
  const code = await runRead(config, configuredCatalog(streams), undefined, new ProtocolSink(output), { http, clock });
  await output.flush();
  const messages = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Message);
  return { code, messages, http, writes };
}

export const recordsOf = (messages: Message[], stream: string) => messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);

/** The most requests the sandbox was answering at one moment (overlap of [arrival, arrival + duration]). */
export function peakInFlight(requests: SandboxRequestRecord[], filter: (r: SandboxRequestRecord) => boolean = () => true): number {
  const events: Array<[number, number]> = [];
  for (const r of requests.filter(filter)) events.push([r.at, 1], [r.at + r.durationMs, -1]);
  // Ends before starts at the same instant: touching intervals do not overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (now += delta));
  return peak;
}

/** Pages a cursor pass costs: a full page always carries `next`, so n records take ⌊n ÷ limit⌋ + 1 requests. */
export const pages = (records: number, limit: number) => Math.floor(records / limit) + 1;

export { isoSeconds } from '../../src/clock.js';
