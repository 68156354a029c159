/**
 * `npm run demo`: the connector end to end with no Customer.io account. Starts the sandbox API on a free
 * port, runs the built connector's spec, check, discover, a full read of every discovered stream, an
 * incremental read from that read's state after the sandbox clock moved, then `sync` into a DuckDB file
 * twice around another move of the clock. Raw output of every step stays in demo-output/.
 * Beside it, the connector's reporting-webhook receiver runs (serve-webhooks), the sandbox posts its deliveries'
 * events to it as its clock moves, as Customer.io would, and every read and sync takes them as reporting_events.
 *
 * Environment: DEMO_OUTPUT (folder, default demo-output), DEMO_SIZES (JSON of sandbox sizes, e.g.
 * '{"customers":300}'), DEMO_SEED (default 42), DEMO_ADVANCE_HOURS (default 6).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { sandboxClockEnv, startSandbox, type Sandbox, type SandboxSizes } from '../sandbox/index.js';
import { formatTable, runQuery } from '../sync/query.js';
import { Warehouse } from '../sync/warehouse.js';
import { formatCounts, number, seconds } from './report.js';
import { CONNECTOR, catalogFromDiscover, errorsOf, finalState, inputFile, ofType, recordsPerStream, runConnector as runStep, type StepResult } from './steps.js';
import { RECEIVER_FILES, RECEIVER_STORE, startReceiver, type DemoReceiver } from './webhooks.js';

const DAY = 86_400;
const OUTPUT_FILES = [...RECEIVER_FILES, 'config.json', 'catalog.json', 'state-1.json', 'spec.jsonl', 'check.jsonl', 'discover.jsonl', 'read-1.jsonl', 'read-2.jsonl', 'sync-1.txt', 'sync-2.txt', 'customerio.duckdb', 'customerio.duckdb.wal'];

const say = (text = '') => process.stdout.write(`${text}\n`);

class DemoFailure extends Error {}

function ensure(step: StepResult, what: string): void {
  if (step.code === 0) return;
  const errors = errorsOf(step);
  throw new DemoFailure(`${what} exited with ${step.code}${errors.length ? `: ${errors.join('; ')}` : ''} (output in ${step.file})`);
}

function sizesFromEnv(): Partial<SandboxSizes> {
  const raw = process.env.DEMO_SIZES;
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Partial<SandboxSizes>;
  } catch {
    throw new DemoFailure(`DEMO_SIZES is not JSON: ${raw}`);
  }
}

async function look(path: string, queries: Array<[string, string]>): Promise<void> {
  for (const [title, sql] of queries) {
    say(`${title}   (${sql})`);
    say(formatTable(await runQuery(path, sql)).replace(/^(?=.)/gm, '  '));
  }
}

async function ids(path: string, table: string): Promise<Set<string>> {
  const warehouse = await Warehouse.open(path);
  try {
    return new Set((await warehouse.rows(`SELECT CAST(id AS VARCHAR) AS id FROM "${table}"`)).map((r) => String(r.id)));
  } finally {
    warehouse.close();
  }
}

async function demo(sb: Sandbox, dir: string, receiver: DemoReceiver): Promise<void> {
  const started = Date.now();
  // Paths under the current folder as typed (demo-output/…), others in full.
  const show = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel && !rel.startsWith('..') ? rel : path;
  };
  const hours = Number(process.env.DEMO_ADVANCE_HOURS ?? 6);
  // Every step on the sandbox's clock, read again after each move of it: the connector's time windows end at its
  // own "now", which must be the sandbox's (issue 21; CIO_TEST_CLOCK is the connector's clock for tests).
  const runConnector = (args: string[], folder: string, file: string, options: { protocol: boolean; showStderr?: boolean }) =>
    runStep(args, folder, file, { ...options, env: sandboxClockEnv(sb) });
  const requestsSince = (() => {
    let last = 0;
    return () => {
      const total = sb.stats().total;
      const delta = total - last;
      last = total;
      return delta;
    };
  })();
  // No start_date: it would also hide campaigns and newsletters last updated before it (incremental cursors start there).
  const config = inputFile(dir, 'config.json', {
    app_api_key: 'sandbox-us-key',
    api_base_url: sb.url,
    reporting_webhook_receivers: [receiver.url],
    reporting_webhook_read_token: receiver.readToken,
  });
  // Customer.io's reporting webhook, switched on now: from here on every delivery event is posted to the receiver.
  const webhook = sb.startWebhooks({ url: receiver.webhookUrl, signingKey: receiver.signingKey });
  say(`Customer.io source connector demo: a local sandbox of the Customer.io App API at ${sb.url}, no account needed.`);
  say(`Its reporting webhook posts to the connector's receiver (serve-webhooks) at ${receiver.webhookUrl}.`);
  say(`Raw protocol output of every step goes to ${show(dir)}/.\n`);

  const spec = await runConnector(['spec'], dir, 'spec.jsonl', { protocol: true });
  ensure(spec, 'spec');
  const properties = Object.keys(ofType(spec, 'SPEC')[0]?.spec.connectionSpecification.properties ?? {});
  say(`1. spec       ${properties.length} config fields (${properties.slice(0, 4).join(', ')}, …)`);

  const check = await runConnector(['check', '--config', config], dir, 'check.jsonl', { protocol: true });
  ensure(check, 'check');
  const status = ofType(check, 'CONNECTION_STATUS')[0]?.connectionStatus;
  if (status?.status !== 'SUCCEEDED') throw new DemoFailure(`check answered ${status?.status}: ${status?.message}`);
  say(`2. check      ${status.status}: ${status.message ?? ''}`);

  const discover = await runConnector(['discover', '--config', config], dir, 'discover.jsonl', { protocol: true });
  ensure(discover, 'discover');
  const catalog = catalogFromDiscover(discover);
  const streams = (catalog.streams as Array<{ stream: { name: string }; sync_mode: string }>).map((s) => s.stream.name);
  const incremental = (catalog.streams as Array<{ sync_mode: string }>).filter((s) => s.sync_mode === 'incremental').length;
  const catalogFile = inputFile(dir, 'catalog.json', catalog);
  say(`3. discover   ${streams.length} streams, ${incremental} of them incremental`);
  requestsSince();

  const read1 = await runConnector(['read', '--config', config, '--catalog', catalogFile], dir, 'read-1.jsonl', { protocol: true });
  ensure(read1, 'the first read');
  const counts1 = recordsPerStream(read1);
  say(`4. read       every stream, no state: ${number(ofType(read1, 'RECORD').length)} records in ${seconds(read1.ms)} with ${number(requestsSince())} requests`);

  sb.advance(hours * 3600);
  await webhook.flush();
  say(`   … the sandbox clock moves ${hours} hours: new activities and deliveries arrive, some campaigns, newsletters and segments change, some vanish`);
  say(`   … and its reporting webhook posts ${webhookSummary(webhook.delivered)} to the receiver, signed, one at a time`);
  const stateFile = inputFile(dir, 'state-1.json', finalState(read1));
  const read2 = await runConnector(['read', '--config', config, '--catalog', catalogFile, '--state', stateFile], dir, 'read-2.jsonl', { protocol: true });
  ensure(read2, 'the incremental read');
  const counts2 = recordsPerStream(read2);
  say(`5. read       from read 1's final state: ${number(ofType(read2, 'RECORD').length)} records in ${seconds(read2.ms)} with ${number(requestsSince())} requests\n`);
  say('Records per stream (full-refresh streams read everything again; incremental ones only what changed):');
  say(formatCounts(['read 1', 'read 2'], [counts1, counts2], streams));

  const duckdb = join(dir, 'customerio.duckdb');
  const syncArgs = ['sync', '--config', config, '--duckdb', duckdb];
  say(`6. sync       every stream into ${show(duckdb)} (progress on stderr):`);
  const sync1 = await runConnector(syncArgs, dir, 'sync-1.txt', { protocol: false, showStderr: true });
  ensure(sync1, 'the first sync');
  say(sync1.stdout);
  await look(duckdb, [
    ['First rows of campaigns', 'SELECT id, name, state, to_timestamp(updated) AS updated, json_array_length(actions) AS actions FROM campaigns ORDER BY id LIMIT 5'],
    ['First rows of customers', `SELECT cio_id, email, attributes->>'$.plan' AS plan, attributes->>'$.country' AS country, json_array_length(devices) AS devices FROM customers ORDER BY cio_id LIMIT 5`],
  ]);
  const campaignsBefore = await ids(duckdb, 'campaigns');
  const syncedAt = sb.now();
  requestsSince();

  sb.advance(hours * 3600);
  const before = webhook.delivered.length;
  await webhook.flush();
  say(`   … the sandbox clock moves another ${hours} hours; the webhook posts ${webhookSummary(webhook.delivered.slice(before))}`);
  say('7. sync       again: each incremental stream resumes from the state saved in the file');
  const sync2 = await runConnector(syncArgs, dir, 'sync-2.txt', { protocol: false, showStderr: true });
  ensure(sync2, 'the second sync');
  say(sync2.stdout);
  const campaignsAfter = await ids(duckdb, 'campaigns');
  const vanished = [...campaignsBefore].filter((id) => !campaignsAfter.has(id));
  say('What changed in the file (inserted / updated / deleted per stream are in the table above):');
  if (vanished.length) say(`Campaigns deleted from Customer.io, and so from the file: ${vanished.join(', ')}\n`);
  await look(duckdb, [
    ['Campaigns edited since the first sync', `SELECT id, name, to_timestamp(updated) AS updated FROM campaigns WHERE updated > ${syncedAt} ORDER BY updated DESC LIMIT 5`],
    ['New activities since the first sync, by type', `SELECT type, count(*) AS new FROM activities WHERE timestamp > ${syncedAt} GROUP BY type ORDER BY new DESC, type LIMIT 5`],
    ['Reporting-webhook events the receiver kept, by object type and metric', 'SELECT object_type, metric, count(*) AS events, to_timestamp(max("timestamp")) AS latest FROM reporting_events GROUP BY ALL ORDER BY events DESC, object_type, metric LIMIT 8'],
  ]);

  say(`Done in ${seconds(Date.now() - started)}: ${number(sb.stats().total)} requests to the sandbox (at most 10 a second, as Customer.io allows).`);
  say(`Raw output in ${show(dir)}/: spec.jsonl, check.jsonl, discover.jsonl, catalog.json, read-1.jsonl, state-1.json, read-2.jsonl, sync-1.txt, sync-2.txt, customerio.duckdb; the receiver's webhooks.json, serve-webhooks.txt and ${RECEIVER_STORE}/`);
  // The connector's own query command: nothing else to install (the duckdb CLI takes the same two arguments).
  say(`Look around:  node ${show(CONNECTOR)} query ${show(duckdb)} "SELECT type, count(*) FROM activities GROUP BY type ORDER BY 2 DESC"`);
}

/** `123 events (2 of them twice: answered 2xx and not stored again)`. */
function webhookSummary(delivered: string[]): string {
  const twice = delivered.length - new Set(delivered).size;
  return `${number(delivered.length)} events${twice ? ` (${twice} of them twice, as Customer.io may: answered 2xx and not stored again)` : ''}`;
}

async function main(): Promise<number> {
  const dir = resolve(process.env.DEMO_OUTPUT ?? 'demo-output');
  mkdirSync(dir, { recursive: true });
  // Only the files this demo writes: the folder may be the user's.
  for (const file of OUTPUT_FILES) for (const name of [file, `${file}.stderr.txt`]) rmSync(join(dir, name), { force: true });
  // A fresh store: positions of an older run's would not match this run's sandbox.
  rmSync(join(dir, RECEIVER_STORE), { force: true, recursive: true });
  const sb = await startSandbox({
    seed: Number(process.env.DEMO_SEED ?? 42),
    // From the wall clock's now (data dated as a person would expect); the connector follows it (demo()).
    now: Math.floor(Date.now() / 1000),
    sizes: sizesFromEnv(),
  });
  let receiver: DemoReceiver | undefined;
  try {
    receiver = await startReceiver(dir);
    await demo(sb, dir, receiver);
    return 0;
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await sb.close();
    await receiver?.stop();
  }
}

process.exitCode = await main();
