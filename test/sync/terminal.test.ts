/**
 * The live progress display on a terminal that reports no width (columns 0: some CI runners, a pty nobody sized):
 * `sync` prints plain lines, never a live block cut to a guess of its width. Run on a real pseudo-terminal through
 * util-linux `script` (its size set with stty), the built CLI as a person runs it; in-process with a sink that says
 * it is a terminal of width 0 as well, so the rule is checked where `script` is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Progress } from '../../src/sync/progress.js';
import { runSync } from '../../src/sync/command.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { CLI, PROJECT_ROOT, withoutKey, writeInputs } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 4, sizes: { activities: 300, campaigns: 3 }, rateLimit: false });
});
afterAll(() => sb.close());

const config = () => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url });
const hasScript = spawnSync('script', ['--version']).status === 0;

/** `sync` on a pseudo-terminal `columns` wide; everything the terminal showed. Async: the sandbox answers from this process. */
async function syncOnTerminal(columns: number): Promise<string> {
  const path = join(scratchDir('cio-tty-'), 'customerio.duckdb');
  const args = ['sync', '--streams', 'activities,campaigns', '--duckdb', path, ...writeInputs({ config: config() })].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', `stty cols ${columns} rows 40; '${process.execPath}' '${CLI}' ${args}`, '/dev/null'], {
    cwd: PROJECT_ROOT,
    // Slow, so the display ticks (a plain line every 0.2 s; the live block every 0.25 s) before the sync ends.
    env: { ...withoutKey(process.env), NODE_OPTIONS: '', CIO_TEST_CLOCK: String(sb.now()), CIO_SYNC_PROGRESS_SECONDS: '0.2', CIO_REQUESTS_PER_SECOND: '5' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let shown = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  return shown;
}

(hasScript ? describe : describe.skip)('sync on a pseudo-terminal (util-linux script)', () => {
  it('prints plain progress lines, whole, when the terminal reports no width', async () => {
    const shown = await syncOnTerminal(0);
    expect(shown).not.toContain('\x1b[');
    const lines = shown.split(/\r?\n/).filter((l) => l.startsWith('[sync '));
    expect(lines.length).toBeGreaterThan(0);
    // Whole lines: longer than the 40 characters a live block was cut to, and never ending in the cut's ellipsis.
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(60);
    for (const line of lines) expect(line.endsWith('…')).toBe(false);
    expect(shown).toMatch(/Synced 2 of 2 streams/);
  });

  it('draws the live block on a terminal that reports its width', async () => {
    expect(await syncOnTerminal(100)).toContain('\x1b[');
  });
});

describe('a terminal of width 0, in-process', () => {
  it('gets plain lines from the display', () => {
    const written: string[] = [];
    const progress = new Progress({ write: (t: string) => written.push(t), isTTY: true, columns: 0 }, { stats: new Map(), requests: () => 0, limit: 10 });
    progress.tick();
    expect(written.join('')).toMatch(/^\[sync 0\.0s\] 0 records, 0 requests/);
  });

  it('gets plain lines from a whole sync', async () => {
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t), isTTY: true, columns: 0 } };
    const clock = () => sb.now() * 1000;
    const result = await runSync({ rawConfig: config(), streams: 'activities', duckdbPath: join(scratchDir('cio-tty-'), 'x.duckdb') }, io, { clock, progress: { intervalMs: 1 } });
    expect(result.exitCode).toBe(0);
    expect(err.join('')).not.toContain('\x1b[');
    expect(err.join('')).toMatch(/✓ activities: 300 records/);
  });
});
