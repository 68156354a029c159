/**
 * Benchmark part 8, the reporting-webhook receiver (`node dist/main.js serve-webhooks`, a measured child process with
 * its store in a temporary folder): signed events of ~1 KB posted over keep-alive connections from this process.
 *   - sustained: `concurrency` senders posting back to back for `seconds`: events answered 2xx a second;
 *   - paced: `rate` events a second, sent on schedule whatever the answers (an open loop, as independent webhooks
 *     would), for `seconds`: time from sending to the 2xx, p50 and p99;
 *   - memory: the receiver's peak RSS, and its RSS over the run (median of the last quarter of the samples ÷ the
 *     second quarter's: flat is about 1).
 * Every answer is counted; anything but a 2xx is an error of the run.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnMeasured } from './measured.js';
import { DIST } from './sandbox-process.js';

export interface WebhooksSizes {
  concurrency: number;
  sustainedSeconds: number;
  rate: number;
  pacedSeconds: number;
}

export interface WebhooksRun {
  sustained: { events: number; seconds: number; perSecond: number; errors: number };
  paced: { events: number; seconds: number; p50Ms: number; p99Ms: number; maxMs: number; errors: number };
  peakRssMb: number;
  rssGrowth: number;
  cpuSeconds: number;
  /** Events written per fdatasync (group commit), from the receiver's /metrics. */
  eventsPerFsync: number;
  fsyncP50Ms?: number;
}

const KEY = 'whsec-bench-signing-key';
const TOKEN = 'bench-read-token-0123456789abcdef';
const PATH = '/customerio/reporting-webhook';

let serial = 0;
/** An email_delivered-like event of about 1 KB, with a new event_id. */
function body(): string {
  serial++;
  const id = `01BENCH${String(serial).padStart(19, '0')}`;
  return JSON.stringify({
    event_id: id,
    object_type: 'email',
    metric: 'delivered',
    timestamp: 1_700_000_000 + serial,
    data: {
      identifiers: { id: `person-${serial}`, email: `person-${serial}@example.com`, cio_id: `cio${serial.toString(16)}` },
      customer_id: `person-${serial}`,
      delivery_id: `RAECAAF${Buffer.from(String(serial)).toString('base64')}`,
      campaign_id: 12,
      action_id: 34,
      journey_id: '01GW1XKZ4J4X0T8XEXAMPLE000',
      recipient: `person-${serial}@example.com`,
      subject: 'Your weekly summary: what happened in your account this week, and what is coming next',
      padding: 'x'.repeat(600),
    },
  });
}

function post(port: number, agent: Agent): Promise<{ ok: boolean; ms: number }> {
  const text = body();
  const timestamp = String(1_700_000_000 + serial);
  const signature = createHmac('sha256', KEY).update(`v0:${timestamp}:${text}`).digest('hex');
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: PATH, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-cio-timestamp': timestamp, 'x-cio-signature': signature } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ ok: false, ms: performance.now() - started }));
    req.end(text);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

async function sustained(port: number, concurrency: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const until = performance.now() + seconds * 1000;
  let events = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const { ok } = await post(port, agent);
        if (ok) events++;
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { events, seconds: elapsed, perSecond: events / elapsed, errors };
}

async function paced(port: number, rate: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const times: number[] = [];
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  // Ticks of 10 ms, each sending what the schedule says is due by then: the rate holds whatever the answers do.
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      pending.push(
        post(port, agent).then(({ ok, ms }) => {
          if (ok) times.push(ms);
          else errors++;
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  agent.destroy();
  const sorted = times.sort((a, b) => a - b);
  return { events: times.length, seconds: (performance.now() - started) / 1000, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? Number.NaN, errors };
}

/** `name value` of a Prometheus text, for one sample without labels (or with exactly `labels`). */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : undefined;
}

/** The median fsync time from the histogram's buckets (the bucket bound where half the fsyncs are done), ms. */
function fsyncMedianMs(text: string): number | undefined {
  const count = sample(text, 'cio_webhooks_fsync_seconds_count');
  if (!count) return undefined;
  for (const line of text.split('\n')) {
    const match = /^cio_webhooks_fsync_seconds_bucket\{le="([\d.]+)"\} (\d+)$/.exec(line);
    if (match && Number(match[2]) >= count / 2) return Number(match[1]) * 1000;
  }
  return undefined;
}

export async function runWebhooks(sizes: WebhooksSizes): Promise<WebhooksRun> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-webhooks-'));
  try {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ store_dir: join(dir, 'store'), host: '127.0.0.1', port: 0, max_concurrent_requests: 512 }));
    const measured = spawnMeasured(join(DIST, 'main.js'), ['serve-webhooks', '--config', config], { CIO_WEBHOOK_SIGNING_KEYS: KEY, CIO_WEBHOOK_READ_TOKEN: TOKEN });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      measured.child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /listening on [^:]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      measured.child.once('exit', (code) => reject(new Error(`serve-webhooks exited with ${code} before listening`)));
    });
    // A second of warm-up (JIT, the first segment), not counted.
    await paced(port, 200, 1);
    const hot = await sustained(port, sizes.concurrency, sizes.sustainedSeconds);
    const steady = await paced(port, sizes.rate, sizes.pacedSeconds);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    measured.child.kill('SIGTERM');
    const done = await measured.done;
    const samples = done.rssSamplesMb;
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const fsyncs = sample(metrics, 'cio_webhooks_fsync_seconds_count') ?? 0;
    const written = sample(metrics, 'cio_webhooks_commit_events_total') ?? 0;
    return {
      sustained: hot,
      paced: steady,
      peakRssMb: done.usage?.maxRssMb ?? Math.max(...samples),
      rssGrowth: median(samples.slice(-quarter)) / median(samples.slice(quarter, 2 * quarter)),
      cpuSeconds: done.usage?.cpuSeconds ?? Number.NaN,
      eventsPerFsync: fsyncs ? written / fsyncs : Number.NaN,
      fsyncP50Ms: fsyncMedianMs(metrics),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
