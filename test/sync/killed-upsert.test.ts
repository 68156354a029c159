/**
 * A kill in the middle of an upsert: `sync` (the built CLI, `npm run build` first) is SIGKILLed twice while a
 * large incremental stream is being written — its rows and state committed together, one page at a time — and
 * then run to completion. After each kill the file is checked against the sandbox's truth by primary key: no
 * row twice, no row the API does not have, and no row missing that the saved state says was read. After the
 * last run the table is exactly the truth, and its state covers it.
 *
 * `messages` is the stream: read in 30-day windows whose cursor moves as windows complete, so a kill can leave a
 * state that covers some rows and not others (an activities pass keeps its old cursor until the pass ends). The
 * connector's clock is put 10 days after the sandbox's (CIO_TEST_CLOCK, declared with clockApart: every delivery
 * is still in its past), so the sandbox's 30 days of deliveries fall in two of the connector's windows (a sixth and
 * five sixths), and no rate limit slows the read: the writer, not the API, sets the pace.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertOneClock, sandboxClockEnv, startSandbox, type ClockApart, type Sandbox } from '../../src/sandbox/index.js';
import { CLI, PROJECT_ROOT } from '../helpers/cli.js';
import { catalogOf, configFor, inFile, sorted, tempDuckdb } from './fixtures.js';

const DAY = 86_400;
const MESSAGES = 24_000;
const AHEAD: ClockApart = { maxSeconds: 10 * DAY + 60, reason: "the sandbox's 30 days split across two of the connector's 30-day windows, a sixth and five sixths" };

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 7, sizes: { messages: MESSAGES }, rateLimit: false });
});
afterAll(async () => {
  await sb.close();
});

interface Run {
  signal: NodeJS.Signals | null;
  code: number | null;
  /** The last progress line's messages counts before the run ended: records received, records written to the file. */
  received: number;
  written: number;
  stderr: string;
}

const PROGRESS = /reading (?:.*, )?messages ([\d,]+) \(([\d,]+) written\)/g;
const count = (text: string) => Number(text.replace(/,/g, ''));

/**
 * Runs `sync` in a child process, its plain progress line every 20 ms. With `killAt`, SIGKILLs it at the first
 * line saying at least that many messages are written while more are received than written: the writer had
 * a batch in hand, so the kill lands while the file is being written.
 */
function sync(args: string[], killAt?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    // No pacing (the sandbox has no rate limit either): pages arrive faster than the file takes them.
    const env = { ...process.env, NODE_OPTIONS: '', CIO_REQUESTS_PER_SECOND: 'off', CIO_SYNC_PROGRESS_SECONDS: '0.02', ...sandboxClockEnv(sb, 10 * DAY) };
    assertOneClock(configFor(sb), env, AHEAD);
    const child = spawn(process.execPath, [CLI, 'sync', ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let received = 0;
    let written = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      for (const [, r, w] of chunk.matchAll(PROGRESS)) {
        if (child.killed) break;
        received = count(r);
        written = count(w);
        if (killAt !== undefined && written >= killAt && received > written) child.kill('SIGKILL');
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, received, written, stderr }));
  });
}

interface FileState {
  ids: string[];
  /** The saved cursor of the one messages partition, unix seconds (undefined: none saved yet). */
  cursor: number | undefined;
}

async function look(path: string): Promise<FileState> {
  return inFile(path, async (w) => {
    const ids = (await w.tableExists('messages')) ? (await w.rows('SELECT id FROM messages')).map((r) => String(r.id)) : [];
    const state = (await w.states()).get('messages') as { partitions?: { all?: { created?: unknown } } } | undefined;
    const created = state?.partitions?.all?.created;
    return { ids, cursor: created === undefined ? undefined : Number(created) };
  });
}

/** What must hold in the file whenever a sync stopped, however it stopped. */
function expectConsistent({ ids, cursor }: FileState): void {
  const truth = new Set(sb.expected.messageIds());
  // No key twice, no key the API does not have.
  expect(ids.length - new Set(ids).size).toBe(0);
  expect(ids.filter((id) => !truth.has(id))).toEqual([]);
  // Rows are only ever committed with a state: a table with rows has one.
  if (ids.length > 0) expect(cursor).toBeDefined();
  // Windows are [start, end): a cursor at `end` says every message created before it was read, so each is here.
  if (cursor !== undefined) {
    const held = new Set(ids);
    const covered = sb.expected.messageIds({ endTs: cursor - 1 });
    expect(covered.filter((id) => !held.has(id))).toEqual([]);
  }
}

it('leaves neither lost nor doubled rows when killed while writing, and the next sync completes the set', async () => {
  const path = tempDuckdb();
  const dir = dirname(path);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configFor(sb)));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalogOf({ messages: 'incremental' })));
  const args = ['--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json'), '--duckdb', path];
  const truth = sorted(sb.expected.messageIds());
  expect(truth.length).toBeGreaterThan(0.9 * MESSAGES); // drafts are not listed

  // First kill: early, while the older window's pages are still being written (the state covers none of them yet).
  const first = await sync(args, 3_000);
  expect(first.signal).toBe('SIGKILL');
  const afterFirst = await look(path);
  expectConsistent(afterFirst);
  expect(afterFirst.ids.length).toBeGreaterThanOrEqual(3_000);
  expect(afterFirst.ids.length).toBeLessThan(truth.length);

  // Second kill, in the resumed run: late, once the older window is complete and its cursor saved, mid-way
  // through the newer one. The state now covers thousands of rows, and every one of them must be in the file.
  const second = await sync(args, 15_000);
  expect(second.signal).toBe('SIGKILL');
  const afterSecond = await look(path);
  expectConsistent(afterSecond);
  expect(afterSecond.ids.length).toBeLessThan(truth.length);
  expect(sb.expected.messageIds({ endTs: afterSecond.cursor! - 1 }).length).toBeGreaterThan(1_000);

  // The next sync runs to the end: exactly the truth, each key once, and a state that covers all of it.
  const last = await sync(args);
  expect(last.code).toBe(0);
  const afterLast = await look(path);
  expectConsistent(afterLast);
  expect(sorted(afterLast.ids)).toEqual(truth);
  expect(afterLast.cursor).toBeGreaterThan(sb.now());
  // Three syncs of 24,000 deliveries: 35 s alone, near the default 60 s on a loaded machine (seen at 62 s in a full run).
}, 120_000);
