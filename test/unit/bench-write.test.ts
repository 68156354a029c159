/** BENCHMARKS.md is rewritten by every `npm run bench`; the image size, measured by hand with a container engine, survives it. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keptSections, writeReport, type Report } from '../../src/bench/write.js';
import { scratchDir } from '../helpers/scratch.js';

const IMAGE_SECTION = ['## Image size', '', '| image | own layers |', '|---|---|', '| now | 77.8 MB |', '', 'Method: docker image inspect.'];

const report: Report = {
  results: { utilisation: [], throughput: [], memory: { small: [], large: [], slow: [] }, shared: [], export: [] },
  list: [{ part: '1. Rate utilisation', figure: 'achieved ÷ limit', value: '0.970', target: '≥ 0.95', met: true }],
  command: 'npm run bench',
  quick: false,
  runs: 1,
  minutes: 1,
  commit: 'abc1234',
  limit: 10,
  sharedLimit: 8,
  latencyMs: 250,
  sizes: { utilisation: { activities: 10 }, throughput: { activities: 10, deliveries: 10 }, memory: { small: 10, large: 100 }, slowBytesPerSecond: 4e6, exportPeople: 1000 },
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
