/**
 * A sync killed mid-way (SIGKILL: no handler runs) and run again ends with the full set: what was
 * committed with its state survives the kill, an unfinished replace leaves nothing behind, and the rerun
 * neither loses nor duplicates a row. Runs the built CLI (`npm run build` first; `npm test` does).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/command.js';
import { CLI, PROJECT_ROOT } from '../helpers/cli.js';
import { captureIo, catalogOf, configFor, idsOf, inFile, onSandboxClock, sandboxClockEnv, sorted, startSmallSandbox, tempDuckdb } from './fixtures.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await startSmallSandbox();
});
afterEach(async () => {
  await sb.close();
});

/** Runs `sync` in a child process and sends it `signal` as soon as stderr shows every `killAfter` line. */
function syncUntil(args: string[], killAfter: RegExp[], signal: NodeJS.Signals = 'SIGKILL'): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The connector on the sandbox's clock (issue 21).
    const child = spawn(process.execPath, [CLI, 'sync', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NODE_OPTIONS: '', ...sandboxClockEnv(sb) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (!child.killed && killAfter.every((line) => line.test(stderr))) child.kill(signal);
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

it('a sync killed mid-way keeps what it committed, and a rerun ends with the full set and no duplicates', async () => {
  const path = tempDuckdb();
  const dir = dirname(path);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configFor(sb)));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalogOf({ campaigns: 'incremental', activities: 'incremental', customers: 'full_refresh' })));
  // Customers' later pages are slow, so the kill lands while that stream is still being read.
  sb.setFaults([{ path: '/v1/customers', kind: 'latency', ms: 10_000, after: 1 }]);

  const killed = await syncUntil(['--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json'), '--duckdb', path], [/✓ campaigns/, /✓ activities/]);
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stderr).not.toMatch(/✓ customers/);

  // Streams that completed before the kill are in the file with their state; the unfinished replace left nothing.
  expect(await idsOf(path, 'campaigns')).toEqual(sorted(sb.expected.listIds('campaigns')));
  await inFile(path, async (w) => {
    expect(await w.tableExists('customers')).toBe(false);
    expect([...(await w.states()).keys()].sort()).toEqual(['activities', 'campaigns']);
  });

  sb.setFaults([]);
  const rerun = await runSync({ rawConfig: configFor(sb), rawCatalog: catalogOf({ campaigns: 'incremental', activities: 'incremental', customers: 'full_refresh' }), duckdbPath: path }, captureIo().io, onSandboxClock(sb));
  expect(rerun.exitCode).toBe(0);
  expect(await idsOf(path, 'customers', 'cio_id')).toEqual(sorted(sb.expected.customerCioIds()));
  expect(await idsOf(path, 'activities')).toEqual(sorted(sb.expected.activityIds({ includeDeleted: true })));
  expect(await idsOf(path, 'campaigns')).toEqual(sorted(sb.expected.listIds('campaigns')));
  // Resumed, not restarted: the campaigns read again were all already there.
  expect(rerun.rows.find((r) => r.stream === 'campaigns')!.inserted).toBe(0);
});

it('a sync stopped with SIGINT exits 143, says how to resume, and keeps the streams it completed', async () => {
  const path = tempDuckdb();
  const dir = dirname(path);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configFor(sb)));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalogOf({ campaigns: 'incremental', customers: 'full_refresh', segment_memberships: 'full_refresh' })));
  sb.setFaults([{ path: '/v1/customers', kind: 'latency', ms: 10_000, after: 1 }]);

  const stopped = await syncUntil(['--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json'), '--duckdb', path], [/✓ campaigns/, /✓ segment_memberships/], 'SIGINT');
  expect(stopped.code).toBe(143);
  expect(stopped.stderr).toContain(`Stopped. Every batch whose state was saved is in ${path}; run sync again to resume.`);
  // The unfinished stream is not reported as a failure: it was stopped.
  expect(stopped.stderr).not.toMatch(/✗ customers/);
  await inFile(path, async (w) => {
    expect(await w.count('segment_memberships')).toBe(sb.expected.counts().segment_memberships);
    expect(await w.tableExists('customers')).toBe(false);
  });
  expect(await idsOf(path, 'campaigns')).toEqual(sorted(sb.expected.listIds('campaigns')));
});
