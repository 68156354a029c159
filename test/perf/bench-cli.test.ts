/**
 * `npm run bench` takes a few arguments; a wrong one is said in one line with the usage, never a stack trace.
 * (The benchmark itself runs for minutes and is not a test; only its argument handling is checked here.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

const BENCH = join(PROJECT_ROOT, 'dist', 'bench', 'main.js');
const bench = (...args: string[]) => spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('the benchmark command line', () => {
  it('prints its usage for --help and exits 0 without running anything', () => {
    const result = bench('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run bench/);
    expect(result.stderr).not.toMatch(/benchmark:/);
  });

  it.each([
    [['--bogus'], /^bench: Unknown option '--bogus'/],
    [['--runs', 'x'], /^bench: --runs needs a positive integer, not "x"/],
    [['--runs', '0'], /^bench: --runs needs a positive integer/],
    [['--only', 'speed'], /^bench: --only: unknown part "speed" \(utilisation, throughput, memory, shared, export, deliveries, state, sync, webhooks\)/],
  ])('refuses %j with one line and the usage, exit 2', (args, reason) => {
    const result = bench(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/\nusage: npm run bench/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });
});
