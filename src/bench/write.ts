/** BENCHMARKS.md: the table of a run with everything needed to read it (machine, command, method, every run). */
import { writeFileSync } from 'node:fs';
import type { SandboxSizes } from '../sandbox/index.js';
import { machine, table, type Results, type Row } from './report.js';

export interface Report {
  results: Results;
  list: Row[];
  command: string;
  quick: boolean;
  runs: number;
  minutes: number;
  commit: string;
  limit: number;
  latencyMs: number;
  sizes: {
    utilisation: Partial<SandboxSizes>;
    throughput: { activities: number; deliveries: number };
    memory: { small: number; large: number };
    slowBytesPerSecond: number;
  };
}

const n = (value: number) => value.toLocaleString('en-US');

export function writeReport(path: string, report: Report): void {
  const { results, sizes } = report;
  const missed = report.list.filter((r) => r.met === false);
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`${report.command}\` (src/bench/) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${report.commit}: ` +
      `${report.quick ? 'a quick run (smaller sizes)' : 'a full run'}, ${report.runs} run(s) of each part, ${report.minutes.toFixed(1)} minutes.`,
    '',
    ...machine(),
    '- The machine is shared: other engineers ran their test suites on the same 2 cores during the run, so times move',
    '  from run to run. Every figure is the median of the runs, with the min–max spread in brackets.',
    '',
    '## Results',
    '',
    table(report.list),
    '',
    '## Targets not met',
    '',
    ...(missed.length
      ? missed.map((r) => `- ${r.part ? `${r.part}: ` : ''}${r.figure} = ${r.value}, target ${r.target}.`)
      : ['All targets were met in this run.']),
    '',
    '## How each figure is measured',
    '',
    'Every part runs the built connector (`node dist/main.js read --config … --catalog …`) as a child process, with',
    'the sandbox (`node dist/sandbox/main.js`) in a second process and the benchmark reading stdout in a third. Peak',
    'RSS and CPU time come from the connector process itself (`process.resourceUsage()` at exit, reported by a',
    'preloaded probe, src/bench/probe.ts); the connector is not changed for it.',
    '',
    `1. **Rate utilisation.** Sandbox latency ${report.latencyMs} ms a request, limit ${report.limit} requests a second per key in`,
    '   fixed one-second windows (the excess answered 429 with `Retry-After: 1`), every stream selected (default',
    '   config; `start_date` 30 days back, so each windowed partition is one window). Sizes: ' +
      Object.entries(sizes.utilisation).map(([k, v]) => `${k} ${n(v as number)}`).join(', ') + '.',
    '   Achieved rate = (requests − 1) ÷ (last arrival − first arrival) at the sandbox; the whole-process figure',
    '   divides by the wall time of the process instead (start-up, the first and the last round trip included).',
    '   The minimum the data needs is computed from what the read returned, page arithmetic per endpoint at the',
    '   largest page sizes (a full page always carries `next`, so n records cost ⌊n ÷ limit⌋ + 1 requests; one',
    '   request per unpaginated list, per parent for metrics and contents; 10 attribute calls per 1000 customers;',
    '   each parent list once even when it is selected too).',
    `2. **Throughput floor.** Sandbox without latency or limit; ${n(sizes.throughput.activities)} activities and ${n(sizes.throughput.deliveries)} transactional`,
    '   deliveries (5 templates); the connector reads `activities` and `transactional_message_details` with its own',
    '   limiter lifted (`CIO_REQUESTS_PER_SECOND=off`), stdout read as fast as it comes. The baseline',
    '   (src/bench/baseline.ts) fetches the same pages one after another over a keep-alive connection,',
    '   `JSON.parse`s each and `JSON.stringify`s each record, in its own process. Times are wall times of the',
    '   processes; CPU is user + system of each process.',
    `3. **Memory.** Activities only, no latency or limit: ${n(sizes.memory.small)} and ${n(sizes.memory.large)} activities read as fast as stdout is`,
    `   read, then ${n(sizes.memory.small)} again with stdout read at ${sizes.slowBytesPerSecond / 1e6} MB/s (a slow platform: the read must wait`,
    '   for the pipe instead of buffering).',
    '',
    '## Every run',
    '',
    ...results.utilisation.map(
      (r, i) =>
        `- utilisation run ${i + 1}: ${r.utilisation.toFixed(3)} (whole process ${r.wallUtilisation.toFixed(3)}), ${r.requests} requests ` +
        `(minimum ${r.minimum}), ${r.rateLimited} × 429, busiest second ${r.peakPerSecond}, ${r.seconds.toFixed(1)} s` +
        (r.excess.length ? `; above the minimum: ${r.excess.join(', ')}` : ''),
    ),
    ...results.throughput.map(
      (r, i) =>
        `- throughput run ${i + 1}: connector ${n(r.records)} records in ${r.seconds.toFixed(1)} s (${n(Math.round(r.recordsPerSecond))}/s, ` +
        `${r.cpuPer100k.toFixed(2)} CPU s/100k, peak RSS ${r.peakRssMb.toFixed(0)} MB); baseline ${r.baselineSeconds.toFixed(1)} s ` +
        `(${n(Math.round(r.baselineRecordsPerSecond))}/s, ${r.baselineCpuPer100k.toFixed(2)} CPU s/100k); ratio ${r.timeRatio.toFixed(2)}`,
    ),
    ...results.memory.small.map((small, i) => {
      const large = results.memory.large[i];
      const slow = results.memory.slow[i];
      return (
        `- memory run ${i + 1}: ${n(small.records)} records ${small.peakRssMb.toFixed(0)} MB in ${small.seconds.toFixed(1)} s; ` +
        `${n(large.records)} records ${large.peakRssMb.toFixed(0)} MB in ${large.seconds.toFixed(1)} s` +
        (slow ? `; slow stdout ${slow.peakRssMb.toFixed(0)} MB in ${slow.seconds.toFixed(1)} s` : '')
      );
    }),
    '',
    ...NOTES,
    '',
  ];
  writeFileSync(path, lines.join('\n'));
}

/** What the figures do not show on their own (kept with the generator so every run's file carries it). */
const NOTES: string[] = [];
