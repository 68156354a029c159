/**
 * `npm run catalogs`: writes the suite's data files from the connector itself and the sandbox's fixed seed,
 * so none of them is typed by hand or goes stale unnoticed (discovery.test.ts compares the catalogs with
 * what discover prints; the read tests check the records and the abnormal state).
 *
 *   catalog/configured_catalog.json                 every stream, full refresh
 *   catalog/configured_catalog_incremental.json     every stream that offers incremental, incremental
 *   integration_tests/configured_catalog*.json      the same two, where CAT expects them
 *   integration_tests/expected_records.jsonl        up to RECORDS_PER_STREAM records of every stream a full
 *                                                   refresh of the sandbox gives (checked by primary key)
 *   integration_tests/abnormal_state.json           the final state of an incremental read with every cursor
 *                                                   moved far into the future (a STREAM-state array)
 *
 * Run after `npm run build` (the script does): it runs dist/main.js against a sandbox started with the
 * seed, clock and sizes of acceptance-test-config.yml, and the first basic_read case's config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runCli } from '../../test/helpers/cli.js';
import { asFileText, catalogFiles, deriveCatalog, type DiscoveredStream } from '../lib/catalogs.js';
import { casesOf, configOf, repoPath } from '../lib/config.js';
import { placeholdersFor, startSuiteSandbox, suiteClockEnv } from '../lib/sandbox.js';
import { finalStates, primaryKeyOf } from '../lib/streams.js';
import { futureState } from '../lib/future.js';

const RECORDS_PER_STREAM = 5;

function write(path: string, text: string): void {
  mkdirSync(dirname(repoPath(path)), { recursive: true });
  writeFileSync(repoPath(path), text);
  console.error(`wrote ${path}`);
}

async function main(): Promise<void> {
  const [basic] = casesOf('basic_read').cases;
  if (!basic) throw new Error('acceptance-test-config.yml has no basic_read case to take the config from');
  const sandbox = await startSuiteSandbox();
  try {
    const config = configOf(basic, await placeholdersFor(sandbox));
    // The connector on the sandbox's frozen clock: the files are the same whatever day they are written on.
    const env = suiteClockEnv();
    const discovered = await runCli(['discover'], { config }, { env });
    const streams = discovered.ofType('CATALOG')[0]?.catalog.streams as DiscoveredStream[] | undefined;
    if (!streams) throw new Error(`discover printed no catalog: ${discovered.errors.map((e) => e.message).join('; ')}`);
    for (const [path, catalog] of Object.entries(catalogFiles(streams))) write(path, asFileText(catalog));

    // Expected records: a few of every stream, chosen by primary key so the file is the same on every run.
    const full = deriveCatalog(streams, 'full_refresh');
    const read = await runCli(['read'], { config, catalog: full }, { env, timeoutMs: 300_000 });
    if (read.exitCode !== 0) throw new Error(`the full refresh read failed: ${read.errors.map((e) => e.message).join('; ')}`);
    const excluded = new Set((basic.expect_records?.exclude_streams ?? []).map((s) => s.name));
    const lines: string[] = [];
    for (const stream of streams) {
      if (excluded.has(stream.name)) continue;
      const pk = stream.source_defined_primary_key ?? [];
      const chosen = read
        .records(stream.name)
        .map((data) => ({ key: primaryKeyOf(data, pk) ?? JSON.stringify(data), data }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .slice(0, RECORDS_PER_STREAM);
      // emitted_at is the sandbox clock, not the read's: the file must not change from run to run.
      for (const { data } of chosen) lines.push(JSON.stringify({ stream: stream.name, data, emitted_at: sandbox.now() * 1000 }));
    }
    if (basic.expect_records) write(basic.expect_records.path, lines.join('\n') + '\n');

    // Abnormal state: where an incremental read ends, pushed far into the future.
    const [incremental] = casesOf('incremental').cases;
    if (incremental?.future_state) {
      const incrementalConfig = configOf(incremental, await placeholdersFor(sandbox));
      const incRead = await runCli(['read'], { config: incrementalConfig, catalog: deriveCatalog(streams, 'incremental') }, { env, timeoutMs: 300_000 });
      if (incRead.exitCode !== 0) throw new Error(`the incremental read failed: ${incRead.errors.map((e) => e.message).join('; ')}`);
      const cursors = new Map(streams.map((s) => [s.name, s.default_cursor_field?.[0]]));
      // In discover's order, not the order streams happened to finish in: the file is the same on every run.
      const order = new Map(streams.map((s, i) => [s.name, i]));
      const nameOf = (s: Record<string, unknown>) => (s.stream as { stream_descriptor: { name: string } }).stream_descriptor.name;
      const states = finalStates(incRead.messages)
        .sort((a, b) => (order.get(nameOf(a)) ?? 0) - (order.get(nameOf(b)) ?? 0))
        .map((s) => futureState(s, cursors));
      write(incremental.future_state.future_state_path, asFileText(states));
    }
  } finally {
    await sandbox.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
