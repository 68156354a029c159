/**
 * `npm run demo`'s program, run as the README tells (built first: `npm test` builds), on a small sandbox:
 * it exits 0, every step's raw output is in the folder it names, every discovered stream is read and
 * synced (once: Airbyte's names of two streams are read, not synced again), and what it prints is what the files hold.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { scratchDir } from '../helpers/scratch.js';
import { Warehouse } from '../../src/sync/warehouse.js';
import { STREAM_ALIASES } from '../../src/customerio/airbyte/aliases.js';

// Enough deliveries that the reporting webhook has events to post in 3 hours of the sandbox's clock.
const SIZES = { activities: 200, customers: 150, segmentMembers: 100, messages: 1000, deliveries: 150, transactionalMessages: 2, suppressions: 10 };

function runDemo(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'demo', 'main.js')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', DEMO_OUTPUT: dir, DEMO_SIZES: JSON.stringify(SIZES), DEMO_ADVANCE_HOURS: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (dir: string, file: string) => parseProtocolLines(readFileSync(join(dir, file), 'utf8')) as Array<Record<string, any>>;
const completed = (messages: Array<Record<string, any>>) =>
  messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.status === 'COMPLETE').map((m) => m.trace.stream_status.stream_descriptor.name as string);

it('runs spec, check, discover, two reads and two syncs on the sandbox, and leaves every step’s output where it says', async () => {
  const dir = scratchDir('cio-demo-');
  const demo = await runDemo(dir);
  expect({ code: demo.code, stderr: demo.code === 0 ? '' : demo.stderr }).toEqual({ code: 0, stderr: '' });
  expect(demo.stdout).toContain(`Raw protocol output of every step goes to ${dir}/`);

  expect(lines(dir, 'spec.jsonl').map((m) => m.type)).toEqual(['SPEC']);
  expect(lines(dir, 'check.jsonl').find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.status).toBe('SUCCEEDED');
  const discovered = lines(dir, 'discover.jsonl').find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: { name: string }) => s.name).sort();
  expect(discovered.length).toBeGreaterThan(15);
  // The catalog is discover's: every stream offered is read, and completes, in both reads.
  const catalog = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8'));
  expect(catalog.streams.map((s: { stream: { name: string } }) => s.stream.name).sort()).toEqual(discovered);
  const read1 = lines(dir, 'read-1.jsonl');
  const read2 = lines(dir, 'read-2.jsonl');
  expect(completed(read1).sort()).toEqual(discovered);
  expect(completed(read2).sort()).toEqual(discovered);
  const state1 = JSON.parse(readFileSync(join(dir, 'state-1.json'), 'utf8'));
  expect(state1.map((s: any) => s.stream.stream_descriptor.name).sort()).toEqual(discovered);

  // What it prints is what the files hold.
  const records1 = read1.filter((m) => m.type === 'RECORD').length;
  expect(demo.stdout).toContain(`every stream, no state: ${records1.toLocaleString('en-US')} records`);
  // sync lands every stream once: not again under Airbyte's name for it (people, campaigns_actions).
  const synced = discovered.filter((name: string) => !STREAM_ALIASES.some((alias) => alias.name === name));
  expect(synced.length).toBe(discovered.length - STREAM_ALIASES.length);
  for (const file of ['sync-1.txt', 'sync-2.txt']) {
    const summary = readFileSync(join(dir, file), 'utf8');
    expect(summary).toMatch(new RegExp(`^Synced ${synced.length} of ${synced.length} streams`));
    expect(demo.stdout).toContain(summary.split('\n')[0]);
  }
  expect(demo.stdout).toContain('First rows of campaigns');
  expect(demo.stdout).toContain('First rows of customers');
  expect(demo.stdout).toContain('New activities since the first sync');

  expect(existsSync(join(dir, 'customerio.duckdb'))).toBe(true);
  const warehouse = await Warehouse.open(join(dir, 'customerio.duckdb'));
  try {
    for (const stream of synced) expect(await warehouse.tableExists(stream)).toBe(true);
    // Customers do not change over time: the table holds what the second read listed.
    const customers = read2.filter((m) => m.type === 'RECORD' && m.record.stream === 'customers').length;
    expect(await warehouse.count('customers')).toBe(customers);
    expect([...(await warehouse.states()).keys()].sort()).toEqual(synced);
    // The reporting webhook's events: what the sandbox posted and the receiver kept (each once) is what the file holds.
    const kept = readdirSync(join(dir, 'webhook-store'))
      .filter((f) => f.startsWith('events-'))
      .flatMap((f) => readFileSync(join(dir, 'webhook-store', f), 'utf8').split('\n').filter((l) => l !== ''))
      .map((l) => JSON.parse(l).id as string);
    expect(kept.length).toBeGreaterThan(0);
    expect(new Set(kept).size).toBe(kept.length);
    expect(await warehouse.count('reporting_events')).toBe(kept.length);
    expect(demo.stdout).toMatch(/its reporting webhook posts \d+ events.* to the receiver/);
    expect(demo.stdout).toContain('Reporting-webhook events the receiver kept, by object type and metric');
    expect(readFileSync(join(dir, 'serve-webhooks.txt'), 'utf8')).toMatch(/listening on .*stopped/s);
  } finally {
    warehouse.close();
  }
}, 240_000);
