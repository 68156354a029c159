/**
 * Whether `start_ts`/`end_ts` include their bounds is not documented. Against the sandbox reading each bound either
 * way (deliveryBounds), in-process: a delivery created exactly on the edge two windows share, at a read's first
 * second, or at the cursor between two reads, is printed — once within a read — under all four readings.
 *
 * The sandbox serves one delivery every 1000 s (2592 in its 30 days), so edges can be put exactly on deliveries (seed 2:
 * none of those read is a draft, which /v1/messages leaves out).
 */
import { Writable } from 'node:stream';
import { runRead } from '../../src/commands.js';
import { parseConfig, type Config } from '../../src/config.js';
import { messages } from '../../src/customerio/streams/messages.js';
import { HttpClient } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { Reader } from '../../src/engine/read.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { Output } from '../../src/protocol/output.js';
import { ProtocolSink } from '../../src/protocol/sink.js';
import { startSandbox, type BoundReading, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { call } from '../sandbox/helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Message = Record<string, any>;

const SPACING = 1000;
const READINGS: Array<[BoundReading, BoundReading]> = [
  ['inclusive', 'inclusive'],
  ['exclusive', 'inclusive'],
  ['inclusive', 'exclusive'],
  ['exclusive', 'exclusive'],
];
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

async function everyThousandSeconds(start: BoundReading, end: BoundReading): Promise<Sandbox> {
  return startSandbox({ seed: 2, rateLimit: false, sizes: { messages: (30 * 86_400) / SPACING }, deliveryBounds: { start, end } });
}

/** A sink collecting what a read prints. */
function collector(): { sink: ProtocolSink; messages: () => Message[] } {
  let text = '';
  const out = new Output(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
  );
  return { sink: new ProtocolSink(out), messages: () => parseProtocolLines(text) };
}

const clientFor = (config: Config) => new HttpClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, limiter: new RateLimiter({ requestsPerSecond: 1000 }), maxTries: 1 });

const recordsOf = (printed: Message[]) => printed.filter((m) => m.type === 'RECORD').map((m) => m.record.data);

describe('the sandbox reads start_ts/end_ts as it is told', () => {
  it.each(READINGS)('start %s, end %s', async (start, end) => {
    const sb = await everyThousandSeconds(start, end);
    try {
      const t = sb.now() - 10 * SPACING;
      const ids = async (from: number, to: number) => ((await call(sb, `/messages?limit=1000&start_ts=${from}&end_ts=${to}`)).body.messages as Message[]).map((m) => m.created);
      // A span holding deliveries at both of its bounds and one inside.
      expect(await ids(t, t + 2 * SPACING)).toEqual([...(end === 'inclusive' ? [t + 2 * SPACING] : []), t + SPACING, ...(start === 'inclusive' ? [t] : [])]);
    } finally {
      await sb.close();
    }
  });
});

describe('deliveries on window edges, under every reading of the bounds', () => {
  it.each(READINGS)('start %s, end %s: every delivery on an edge of 1000-second windows is printed once', async (start, end) => {
    const sb = await everyThousandSeconds(start, end);
    const run = collector();
    let http: HttpClient | undefined;
    try {
      const now = sb.now();
      const from = now - 20 * SPACING;
      // Windows of exactly 1000 s (asked 1001 s: a second before each), from a delivery: every edge is a delivery.
      const definition = { ...messages, incremental: { ...messages.incremental, windowSeconds: SPACING + 1 } } satisfies StreamDefinition;
      const config = parseConfig({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, start_date: iso(from) });
      http = clientFor(config);
      await new Reader({ config, http, sink: run.sink, clock: () => now * 1000 }).readAll([{ definition, syncMode: 'incremental' }]);
      const printed = recordsOf(run.messages());
      const windows = sb.stats().byEndpoint['GET /v1/messages'];
      expect(windows).toBe(20);
      const ids = printed.map((r) => String(r.id));
      expect(ids.length).toBe(new Set(ids).size);
      // The delivery at the read's end is the next read's (its first second, asked from a second before).
      const truth = sb.expected.messageIds({ startTs: from, endTs: end === 'exclusive' ? now - 1 : now });
      expect(new Set(ids)).toEqual(new Set(truth));
      expect(truth).toHaveLength(end === 'exclusive' ? 20 : 21);
    } finally {
      await http?.limiter.stop();
      await sb.close();
    }
  });

  it.each(READINGS)('start %s, end %s: messages read twice lose nothing at the first second nor at the cursor between the reads', async (start, end) => {
    const sb = await everyThousandSeconds(start, end);
    const run = collector();
    const second = collector();
    try {
      const first = sb.now();
      const from = first - 20 * SPACING;
      const catalog = configuredCatalog([{ name: 'messages', syncMode: 'incremental' }]);
      // No recent lookback: the second read starts exactly at the first one's cursor, a delivery's time.
      const config = parseConfig({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, start_date: iso(from), messages_recent_lookback_hours: 0 });
      const firstHttp = clientFor(config);
      expect(await runRead(config, catalog, undefined, run.sink, { http: firstHttp, clock: () => first * 1000 })).toBe(0);
      await firstHttp.limiter.stop();
      const states = run.messages().filter((m) => m.type === 'STATE');
      const state = states.at(-1)!.state;
      expect(state.stream.stream_state.partitions.all).toEqual({ created: first, full_lookback_read_at: first });

      sb.advance(5 * SPACING);
      const later = sb.now();
      const secondHttp = clientFor(config);
      expect(await runRead(config, catalog, [state], second.sink, { http: secondHttp, clock: () => later * 1000 })).toBe(0);
      await secondHttp.limiter.stop();
      const firstIds = recordsOf(run.messages()).map((r) => String(r.id));
      const secondIds = recordsOf(second.messages()).map((r) => String(r.id));
      for (const ids of [firstIds, secondIds]) expect(ids.length).toBe(new Set(ids).size);
      const truth = sb.expected.messageIds({ startTs: from, endTs: end === 'exclusive' ? later - 1 : later });
      expect(new Set([...firstIds, ...secondIds])).toEqual(new Set(truth));
      // The delivery at the first read's first second, and the one at the cursor between the two reads.
      const at = (seconds: number) => sb.expected.messageIds({ startTs: seconds, endTs: seconds });
      expect(firstIds).toEqual(expect.arrayContaining(at(from)));
      expect([...firstIds, ...secondIds]).toEqual(expect.arrayContaining(at(first)));
      expect(at(from).length + at(first).length).toBe(2);
    } finally {
      await sb.close();
    }
  });
});
