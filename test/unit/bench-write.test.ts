/** BENCHMARKS.md is rewritten by every `npm run bench`; the image size, measured by hand with a container engine, survives it. Part 6's rows judge its target. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rows } from '../../src/bench/report.js';
import { keptSections, writeReport, type Report } from '../../src/bench/write.js';
import { scratchDir } from '../helpers/scratch.js';

const IMAGE_SECTION = ['## Image size', '', '| image | own layers |', '|---|---|', '| now | 77.8 MB |', '', 'Method: docker image inspect.'];

const report: Report = {
  results: { utilisation: [], throughput: [], memory: { small: [], large: [], slow: [] }, shared: [], export: [], deliveries: [], state: [], sync: [], webhooks: [] },
  list: [{ part: '1. Rate utilisation', figure: 'achieved ÷ limit', value: '0.970', target: '≥ 0.95', met: true }],
  command: 'npm run bench',
  quick: false,
  runs: 1,
  minutes: 1,
  commit: 'abc1234',
  limit: 10,
  sharedLimit: 8,
  latencyMs: 250,
  sizes: { utilisation: { activities: 10 }, throughput: { activities: 10, deliveries: 10 }, memory: { small: 10, large: 100 }, slowBytesPerSecond: 4e6, exportPeople: 1000, deliveriesPerDay: 100, syncActivities: 1000, webhooks: { concurrency: 8, sustainedSeconds: 1, rate: 100, pacedSeconds: 1 } },
};

describe('the sections a benchmark run keeps', () => {
  it('are the image size section, from its heading to the next one', () => {
    const previous = ['# Benchmarks', '', '## Results', 'old table', '', ...IMAGE_SECTION, '', '', '## Every run', '- run 1'].join('\n');
    expect(keptSections(previous)).toEqual([...IMAGE_SECTION, '']);
  });

  it('are nothing when the file has none', () => {
    expect(keptSections('# Benchmarks\n\n## Results\n')).toEqual([]);
  });
});

describe('writing BENCHMARKS.md', () => {
  it('replaces what the benchmark measures and keeps the image size after it, once, run after run', () => {
    const path = join(scratchDir('cio-bench-write-'), 'BENCHMARKS.md');
    writeFileSync(path, ['# Benchmarks', '', 'Written by an older run', '', '## Results', 'old table', '', ...IMAGE_SECTION, ''].join('\n'));
    writeReport(path, report);
    writeReport(path, report);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('old table');
    expect(text).toContain('| 1. Rate utilisation | achieved ÷ limit | 0.970 | ≥ 0.95 | yes |');
    expect(text.split('## Image size')).toHaveLength(2);
    expect(text.endsWith(`\n\n${IMAGE_SECTION.join('\n')}\n`)).toBe(true);
  });

  it('writes only its own sections into a new file', () => {
    const path = join(scratchDir('cio-bench-write-'), 'BENCHMARKS.md');
    writeReport(path, report);
    expect(readFileSync(path, 'utf8')).not.toContain('## Image size');
  });
});

describe('part 6 of the table: deliveries re-read by need', () => {
  const run = (hourly: number[], everyTime: number, fullSyncs = 1) => ({ perDay: 30_000, everyTimeRequests: everyTime, everyTimeRecords: 0, hourly, fullSyncs, ratio: hourly.reduce((a, b) => a + b, 0) / hourly.length / everyTime, seconds: 1 });
  const empty = { utilisation: [], throughput: [], memory: { small: [], large: [], slow: [] }, shared: [], export: [], state: [], sync: [], webhooks: [] };
  const partSix = (runs: ReturnType<typeof run>[]) => rows({ ...empty, deliveries: runs }).filter((r) => r.part.startsWith('6.') || r.part === '');

  it('meets its target when the hourly mean is at most a tenth of the full lookback every sync', () => {
    const [requests, mean, full, ratio] = partSix([run([...Array(23).fill(31), 922], 894)]);
    expect(requests.value).toBe('894');
    expect(mean.value).toBe('68.1');
    expect([full.value, full.met]).toEqual(['1', true]);
    expect([ratio.value, ratio.target, ratio.met]).toEqual(['0.076', '≤ 0.1', true]);
  });

  it('misses it above a tenth, and when a day holds other than one full re-read', () => {
    const [, , full, ratio] = partSix([run([...Array(22).fill(31), 922, 922], 894, 2)]);
    expect(full.met).toBe(false);
    expect(ratio.met).toBe(false);
  });
});

describe('part 9 of the table: the webhook receiver', () => {
  const empty = { utilisation: [], throughput: [], memory: { small: [], large: [], slow: [] }, shared: [], export: [], deliveries: [], state: [], sync: [] };
  const run = (perSecond: number, p99Ms: number, rssGrowth: number, errors = 0) => ({
    sustained: { events: perSecond * 5, seconds: 5, perSecond, errors },
    paced: { events: 2500, seconds: 5, p50Ms: 3, p99Ms, maxMs: p99Ms * 2, errors: 0 },
    peakRssMb: 90,
    rssGrowth,
    cpuSeconds: 4,
    eventsPerFsync: 12,
  });
  const partNine = (runs: ReturnType<typeof run>[]) => rows({ ...empty, webhooks: runs }).filter((r) => r.part.startsWith('9.') || r.part === '');

  it('meets its targets at 2,000 events/s or more, p99 under 250 ms, flat memory and no error', () => {
    const [rate, , p99, , , flat, errors] = partNine([run(2400, 40, 1.02)]);
    expect([rate.value, rate.target, rate.met]).toEqual(['2400', '≥ 2000', true]);
    expect([p99.value, p99.target, p99.met]).toEqual(['40.0', '< 250', true]);
    expect([flat.met, errors.met]).toEqual([true, true]);
  });

  it('misses them below 2,000 events/s, at a p99 of 250 ms, with growing memory or any error', () => {
    const [rate, , p99, , , flat, errors] = partNine([run(1500, 250, 1.5, 1)]);
    expect([rate.met, p99.met, flat.met, errors.met]).toEqual([false, false, false, false]);
  });
});
