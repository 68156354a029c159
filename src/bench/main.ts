/**
 * `npm run bench`: the connector's performance against the sandbox, in three parts (issue 8):
 *   1. rate utilisation — every stream, 250 ms a request, 10 requests a second, ~600 requests' worth of data;
 *   2. throughput floor — 1,000,000 activities + 200,000 deliveries, no latency, no limit, against a bare
 *      fetch/parse/stringify baseline over the same pages;
 *   3. memory — peak RSS for 100,000 and 1,000,000 activities, and for 100,000 with stdout read slowly;
 *   4. shared key — part 1's read (smaller) while the API leaves only 8 of its 10 requests a second to us, as when
 *      another tool uses the same key: how close adaptive pacing gets to what is left, and the 429s it meets;
 *   5. customers by export — 1,000,000 people read with customers_method export at 10 requests a second: App API
 *      requests, the connector's own time (download, parse, emit) apart from the sandbox's modelled preparation,
 *      and the API way over the same people side by side;
 *   6. deliveries re-read by need — incremental syncs of messages at 30,000 deliveries a day: a sync re-reading the
 *      full 30-day lookback (as every sync did before) against a day of hourly syncs with the recent lookback;
 *   7. STATE output — an incremental campaign_actions read at 100 × 40 and 400 × 50 (campaigns × actions): STATE
 *      messages and bytes of a first read and of a second from its state, and their growth beside the records'.
 *   8. sync memory — peak RSS and time of `sync` landing 1,000,000 activities in DuckDB with its default bounds.
 *   9. reporting-webhook receiver — serve-webhooks taking signed events: sustained events/s, p50/p99 time to the 2xx
 *      at 500 events/s, peak RSS and whether it stays flat (webhooks.ts).
 * Every part runs the built CLI (dist/main.js) as a child process against the sandbox in another process, a
 * few times; the table shows medians with their min–max spread and is written into BENCHMARKS.md.
 *
 * Options: --quick (smaller sizes, one run each; also BENCH_QUICK=1), --runs N, --only utilisation,throughput,memory,shared,export,deliveries,state,sync,webhooks,
 * --out FILE (default BENCHMARKS.md for a full run; a quick run writes only with --out).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDeliveries, type DeliveriesRun } from './deliveries.js';
import { runExport, type ExportRun } from './export.js';
import { runMemory, type MemoryRun } from './memory.js';
import { runStateOutput, stateGrowth } from './state-output.js';
import { runSyncMemory } from './sync-memory.js';
import { machine, rows, table, type Results } from './report.js';
import { DIST } from './sandbox-process.js';
import { runThroughput, type ThroughputRun } from './throughput.js';
import { LATENCY_MS, LIMIT, QUICK_UTILISATION_SIZES, runUtilisation, SHARED_LIMIT, UTILISATION_SIZES, type UtilisationRun } from './utilisation.js';
import { writeReport } from './write.js';
import { runWebhooks } from './webhooks.js';

const ROOT = join(DIST, '..');
const PARTS = ['utilisation', 'throughput', 'memory', 'shared', 'export', 'deliveries', 'state', 'sync', 'webhooks'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench [-- [--quick] [--runs N] [--only ${PARTS.join(',')}] [--out FILE]]
  --quick  smaller sizes, one run of each part (also BENCH_QUICK=1); writes a report only with --out
  --runs   runs of each part (default 3, or 1 with --quick); the table shows medians and min–max
  --only   the parts to run, comma-separated (default all)
  --out    where to write the report (default BENCHMARKS.md for a full run)`;

/** Bad arguments: one line on stderr and the usage, exit 2 (no stack trace). */
function usageError(reason: string): never {
  process.stderr.write(`bench: ${reason}\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean' }, runs: { type: 'string' }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
} catch (error) {
  usageError(error instanceof Error ? error.message : String(error));
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const quick = values.quick === true || process.env.BENCH_QUICK === '1';
const runs = values.runs ? Number(values.runs) : quick ? 1 : 3;
if (!Number.isInteger(runs) || runs < 1) usageError(`--runs needs a positive integer, not ${JSON.stringify(values.runs)}`);
const only = new Set((values.only?.split(',') ?? PARTS).map((p) => p.trim()) as Part[]);
for (const part of only) if (!PARTS.includes(part)) usageError(`--only: unknown part ${JSON.stringify(part)} (${PARTS.join(', ')})`);
const out = values.out ?? (quick ? undefined : join(ROOT, 'BENCHMARKS.md'));

const sizes = quick
  ? { utilisation: QUICK_UTILISATION_SIZES, throughput: { activities: 100_000, deliveries: 20_000 }, memory: { small: 100_000, large: 300_000 }, slowBytesPerSecond: 4_000_000, exportPeople: 100_000, deliveriesPerDay: 10_000, syncActivities: 200_000, webhooks: { concurrency: 64, sustainedSeconds: 5, rate: 500, pacedSeconds: 5 } }
  : { utilisation: UTILISATION_SIZES, throughput: { activities: 1_000_000, deliveries: 200_000 }, memory: { small: 100_000, large: 1_000_000 }, slowBytesPerSecond: 4_000_000, exportPeople: 1_000_000, deliveriesPerDay: 30_000, syncActivities: 1_000_000, webhooks: { concurrency: 64, sustainedSeconds: 30, rate: 500, pacedSeconds: 30 } };

const say = (text: string) => process.stderr.write(`${text}\n`);
const started = Date.now();

async function main(): Promise<void> {
  say(`benchmark: ${quick ? 'quick' : 'full'} run, ${runs} run(s) of each part (${[...only].join(', ')})`);
  const results: Results = { utilisation: [], throughput: [], memory: { small: [], large: [], slow: [] }, shared: [], export: [], deliveries: [], state: [], sync: [], webhooks: [] };
  for (let i = 1; i <= runs; i++) {
    if (only.has('utilisation')) {
      const run: UtilisationRun = await runUtilisation(sizes.utilisation);
      results.utilisation.push(run);
      say(`  [${i}/${runs}] utilisation ${run.utilisation.toFixed(3)}, ${run.rateLimited} × 429, ${run.requests}/${run.minimum} requests, ${run.seconds.toFixed(1)} s`);
    }
    if (only.has('throughput')) {
      const run: ThroughputRun = await runThroughput(sizes.throughput);
      results.throughput.push(run);
      say(`  [${i}/${runs}] throughput ${Math.round(run.recordsPerSecond)} records/s (baseline ${Math.round(run.baselineRecordsPerSecond)}), time ×${run.timeRatio.toFixed(2)}, ${run.cpuPer100k.toFixed(2)} CPU s/100k`);
    }
    if (only.has('memory')) {
      const small: MemoryRun = await runMemory(sizes.memory.small);
      const large: MemoryRun = await runMemory(sizes.memory.large);
      const slow: MemoryRun = await runMemory(sizes.memory.small, sizes.slowBytesPerSecond);
      results.memory.small.push(small);
      results.memory.large.push(large);
      results.memory.slow.push(slow);
      say(`  [${i}/${runs}] memory ${small.peakRssMb.toFixed(0)} MB / ${large.peakRssMb.toFixed(0)} MB / slow ${slow.peakRssMb.toFixed(0)} MB`);
    }
    if (only.has('shared')) {
      const run: UtilisationRun = await runUtilisation(QUICK_UTILISATION_SIZES, { apiLimit: SHARED_LIMIT });
      results.shared.push(run);
      say(`  [${i}/${runs}] shared key ${run.requestsPerSecond.toFixed(2)} requests/s of ${SHARED_LIMIT}, ${run.rateLimited} × 429, ${run.seconds.toFixed(1)} s`);
    }
    if (only.has('export')) {
      const run: ExportRun = await runExport(sizes.exportPeople);
      results.export.push(run);
      say(
        `  [${i}/${runs}] export ${run.records} records, ${run.apiRequests} API requests, own time ${run.ownSeconds.toFixed(1)} s ` +
          `(preparation ${run.preparationSeconds.toFixed(1)} s, before the download ${run.beforeDownloadSeconds.toFixed(1)} s); API way ${run.api.requests} requests`,
      );
    }
    if (only.has('deliveries')) {
      const run: DeliveriesRun = await runDeliveries(sizes.deliveriesPerDay);
      results.deliveries.push(run);
      say(`  [${i}/${runs}] deliveries ${run.everyTimeRequests} requests re-reading the full lookback; hourly ${run.hourly.join(' ')} (${run.fullSyncs} full); ratio ${run.ratio.toFixed(3)}, ${run.seconds.toFixed(1)} s`);
    }
    if (only.has('sync')) {
      const run = await runSyncMemory(sizes.syncActivities);
      results.sync.push(run);
      say(`  [${i}/${runs}] sync ${run.activities.toLocaleString('en-US')} activities: peak RSS ${run.peakRssMb.toFixed(0)} MB, ${run.seconds.toFixed(1)} s (${Math.round(run.recordsPerSecond)} records/s)`);
    }
    if (only.has('state')) {
      const run = await runStateOutput();
      results.state.push(run);
      const sizes = run.map((s) => `${s.campaigns}×${s.actionsPerCampaign}: ${s.second.states} STATE(s), ${(s.second.stateBytes / 1e6).toFixed(2)} MB, ${s.second.records} records`).join('; ');
      say(`  [${i}/${runs}] state output (second read) ${sizes}; growth ÷ records read ${stateGrowth(run, 'second').toFixed(2)}`);
    }
    if (only.has('webhooks')) {
      const run = await runWebhooks(sizes.webhooks);
      results.webhooks.push(run);
      say(
        `  [${i}/${runs}] webhooks ${Math.round(run.sustained.perSecond)} events/s sustained; at ${sizes.webhooks.rate}/s p50 ${run.paced.p50Ms.toFixed(1)} ms, p99 ${run.paced.p99Ms.toFixed(1)} ms; ` +
          `peak RSS ${run.peakRssMb.toFixed(0)} MB, growth ${run.rssGrowth.toFixed(2)}; ${run.eventsPerFsync.toFixed(1)} events per fsync; errors ${run.sustained.errors + run.paced.errors}`,
      );
    }
  }
  const list = rows(results);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  process.stdout.write(`\n${table(list)}\n\n${machine().join('\n')}\n- ${((Date.now() - started) / 60_000).toFixed(1)} minutes\n`);
  if (out) {
    writeReport(out, { results, list, command, quick, runs, minutes: (Date.now() - started) / 60_000, commit: commitOf(), limit: LIMIT, sharedLimit: SHARED_LIMIT, latencyMs: LATENCY_MS, sizes });
    say(`written: ${out}`);
  }
  const missed = list.filter((r) => r.met === false);
  if (missed.length) say(`targets not met: ${missed.map((r) => `${r.part || 'part'} ${r.figure} = ${r.value} (target ${r.target})`).join('; ')}`);
}

function commitOf(): string {
  // A run from an exported tree (git archive) names its commit here.
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${hash} (with uncommitted changes)` : hash;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
