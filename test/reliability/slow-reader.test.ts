/**
 * Issue 9, a platform that reads stdout slowly: the connector must stop fetching instead of buffering.
 * The test pauses the child's stdout mid-read (the pipe fills, writes stop draining) and watches the sandbox:
 * the requests it receives must stop growing while the reader is paused — what was in flight or looked ahead,
 * where the whole read needs hundreds — and the child's resident memory stays bounded. Resumed, the read completes every record.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { assertOneClock, sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { CLI, PROJECT_ROOT, writeInputs } from '../helpers/cli.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { keepOutput } from './support/outputs.js';
import { FAST_RETRIES } from './support/run.js';
import { duplicates, expectedKeys, keyOf } from './support/truth.js';

const ACTIVITIES = 12_000;
const CUSTOMERS = 6_000;
// One stream paged plainly, one whose pages take a second step of requests (attributes) fetched ahead.
const STREAMS = ['activities', 'customers'];

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 17, sizes: { activities: ACTIVITIES, customers: CUSTOMERS }, rateLimit: false });
});
afterAll(() => sb.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** Waits until the sandbox's request count has not moved for `quietMs` (at most `maxMs`); returns the count. */
async function requestsOnceSettled(quietMs: number, maxMs: number): Promise<number> {
  const started = Date.now();
  let last = sb.stats().total;
  let since = Date.now();
  while (Date.now() - started < maxMs) {
    await sleep(100);
    const now = sb.stats().total;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

describe('a platform that reads stdout slowly', () => {
  it('stops fetching while stdout is not read (only what was in flight or looked ahead), keeps memory bounded, and completes once read again', async () => {
    const config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
    const args = [CLI, 'read', ...writeInputs({ config, catalog: configuredCatalog(STREAMS) })];
    // Spawned here, not by runCli (the test reads stdout itself): the same one-clock check first.
    const env = { ...process.env, NODE_OPTIONS: '', ...FAST_RETRIES, ...sandboxClockEnv(sb) };
    assertOneClock(config, env);
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    let received = 0;
    let paused: (() => void) | undefined;
    const pausedOnce = new Promise<void>((resolve) => (paused = resolve));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      // Stop reading after the first 200 KB: the read has started, and has far to go.
      if (paused && received > 200_000) {
        child.stdout.pause();
        paused();
        paused = undefined;
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    await pausedOnce;
    const atPause = sb.stats().total;
    // Fetching must come to a stop by itself; were it buffering, requests would keep coming for the whole 20 s.
    const settled = await requestsOnceSettled(1500, 20_000);
    const duringPause = settled - atPause;
    const rss = rssMb(child.pid!);
    child.stdout.resume();
    const code = await exited;

    const stdout = Buffer.concat(chunks).toString('utf8');
    keepOutput('slow reader (stdout)', stdout, ['sandbox-us-key']);
    keepOutput('slow reader (stderr)', stderr, ['sandbox-us-key']);
    expect(code).toBe(0);
    const messages = parseProtocolLines(stdout);
    const records = messages.filter((m) => m.type === 'RECORD').map((m) => m.record as { stream: string; data: Record<string, unknown> });
    for (const stream of STREAMS) {
      const ids = records.filter((r) => r.stream === stream).map((r) => keyOf(stream, r.data));
      expect(duplicates(ids)).toEqual([]);
      expect(new Set(ids)).toEqual(new Set(expectedKeys(sb, stream)));
    }

    const needed = sb.stats().total;
    expect(needed).toBeGreaterThanOrEqual(Math.floor(ACTIVITIES / 100 + CUSTOMERS / 100));
    process.stdout.write(`slow reader: ${duringPause} requests while paused, ${needed} for the whole read, rss ${rss.toFixed(0)} MB\n`);
    // What was in flight when the pipe filled, no more: a page of activities, and customers' look-ahead (at most
    // 3 pages in hand, each 1 search + 10 attribute calls; see ENRICH_LOOKAHEAD in engine/pages.ts). Far fewer than
    // the read needs: had the connector kept fetching into a buffer, it would have read everything while paused.
    expect(duringPause).toBeLessThanOrEqual(50);
    expect(duringPause).toBeLessThan(needed / 3);
    expect(rss).toBeLessThan(250);
  });
});
