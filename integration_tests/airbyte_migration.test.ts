/**
 * Not CAT: a connection moved over from Airbyte's own Customer.io connector (1.0) to this image — same config, same
 * configured catalog, same saved state (integration_tests/airbyte/). Discover still offers each of its streams with
 * its key and cursor, and declares each column its tables hold with a type that lands in the same column; metadata
 * carries Airbyte's definition id; the abnormal state reads nothing; a state in each shape that connector writes
 * continues without a full re-read and without loss.
 *
 * The expectations follow Airbyte's semantics, written out here on their own (not the connector's translation):
 * a record at or after Airbyte's cursor for its parent must come back; none may come back from before that cursor
 * less what Airbyte itself re-read (its lookback, and for a parent without a cursor of its own, the previous sync's
 * length too).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CliResult } from '../test/helpers/cli.js';
import { casesOf, readRepoJson, repoPath } from './lib/config.js';
import type { ConfiguredCatalog, DiscoveredStream } from './lib/catalogs.js';
import { outputChecks } from './lib/run.js';
import { AIRBYTE_KEYS, airbyteResume, columnType } from './lib/airbyte.js';
import { keysByStream, primaryKeyOf, toSeconds } from './lib/streams.js';
import { Suite, ms } from './lib/suite.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const { cases } = casesOf('airbyte_migration');

type Json = Record<string, any>;

describe.each(cases.map((c, i) => [i, c] as const))('moved over from Airbyte #%i', (_i, testCase) => {
  let config: Record<string, unknown>;
  let catalog: ConfiguredCatalog;
  let discovered: DiscoveredStream[];
  let full: CliResult;
  const incremental = () => ({ streams: catalog.streams.filter((s) => s.sync_mode === 'incremental') });
  const fullRefresh = () => ({ streams: catalog.streams.map((s) => ({ ...s, sync_mode: 'full_refresh' as const, destination_sync_mode: 'overwrite' as const })) });
  const cursorOf = (stream: string) => catalog.streams.find((s) => s.stream.name === stream)?.cursor_field?.[0];
  const errorsOf = (result: CliResult) => result.errors.map((e) => `${e.failure_type}: ${e.message}`);

  beforeAll(async () => {
    config = suite.config(testCase);
    catalog = readRepoJson(testCase.configured_catalog_path) as ConfiguredCatalog;
    discovered = await suite.discover(config);
    full = await suite.read(config, fullRefresh());
  }, ms(testCase.timeout_seconds, 240));

  it("accepts Airbyte's config as saved (region in capitals, its field names)", () => {
    expect(config.region).toBe('US');
    expect([full.exitCode, ...errorsOf(full)]).toEqual([0]);
  });

  it("offers every stream of Airbyte's catalog, with its primary key, cursor and sync modes", () => {
    const byName = new Map(discovered.map((s) => [s.name, s]));
    const problems = catalog.streams.flatMap(({ stream }) => {
      const offered = byName.get(stream.name);
      if (!offered) return [`${stream.name}: not offered`];
      const out: string[] = [];
      if (JSON.stringify(offered.source_defined_primary_key) !== JSON.stringify(stream.source_defined_primary_key)) out.push(`${stream.name}: primary key ${JSON.stringify(offered.source_defined_primary_key)}, Airbyte's ${JSON.stringify(stream.source_defined_primary_key)}`);
      if (JSON.stringify(offered.default_cursor_field) !== JSON.stringify(stream.default_cursor_field)) out.push(`${stream.name}: cursor ${JSON.stringify(offered.default_cursor_field)}, Airbyte's ${JSON.stringify(stream.default_cursor_field)}`);
      for (const mode of stream.supported_sync_modes) if (!offered.supported_sync_modes.includes(mode)) out.push(`${stream.name}: no ${mode}`);
      return out;
    });
    expect(catalog.streams).toHaveLength(21);
    expect(problems).toEqual([]);
  });

  it("declares every column Airbyte's tables hold, each with a type that lands in the same column (or a wider one, with its reason)", () => {
    const columns = readRepoJson(testCase.columns_path) as Record<string, Record<string, string> | string>;
    const wider = new Set((testCase.wider_columns ?? []).map((w) => `${w.stream}.${w.field}`));
    const byName = new Map(discovered.map((s) => [s.name, s]));
    const problems: string[] = [];
    let checked = 0;
    for (const [stream, fields] of Object.entries(columns)) {
      if (typeof fields === 'string') continue;
      const properties = (byName.get(stream)?.json_schema.properties ?? {}) as Record<string, Json>;
      for (const [field, type] of Object.entries(fields)) {
        checked++;
        const here = columnType(properties[field]);
        if (!(field in properties)) problems.push(`${stream}.${field}: not declared (Airbyte: ${type})`);
        else if (here !== type && !wider.has(`${stream}.${field}`)) problems.push(`${stream}.${field}: ${here} here, ${type} in Airbyte's table`);
      }
    }
    expect(checked).toBeGreaterThan(250);
    expect(problems).toEqual([]);
    // A widening listed is still one (or the list is stale).
    for (const w of testCase.wider_columns ?? []) expect(columnType((byName.get(w.stream)?.json_schema.properties as Record<string, Json>)[w.field])).not.toBe((columns[w.stream] as Record<string, string>)[w.field]);
  });

  it("carries Airbyte's definition id for Customer.io in metadata.yaml", () => {
    const metadata = parse(readFileSync(repoPath(testCase.metadata_path), 'utf8'));
    expect(metadata.data.definitionId).toBe(testCase.definition_id);
  });

  it('reads the saved catalog from no state: every stream, exit 0', async () => {
    const result = await suite.read(config, catalog);
    expect([result.exitCode, ...errorsOf(result)]).toEqual([0]);
    const empty = catalog.streams.map((s) => s.stream.name).filter((name) => result.records(name).length === 0);
    expect(empty).toEqual([]);
  });

  describe('the abnormal state', () => {
    let result: CliResult;
    let state: Json[];
    beforeAll(async () => {
      state = readRepoJson(testCase.abnormal_state_path) as Json[];
      result = await suite.read(config, incremental(), state);
    }, ms(testCase.timeout_seconds, 240));

    it("covers every incremental stream of the catalog, in Airbyte's shapes", () => {
      expect(state.map((m) => m.stream.stream_descriptor.name).sort()).toEqual(incremental().streams.map((s) => s.stream.name).sort());
    });

    it('reads nothing, without an error, and still checkpoints every stream', () => {
      expect([result.exitCode, ...errorsOf(result)]).toEqual([0]);
      expect(result.records().length).toBe(0);
      expect(incremental().streams.filter((s) => result.states(s.stream.name).length === 0).map((s) => s.stream.name)).toEqual([]);
      expect(incremental().streams.filter((s) => result.statuses(s.stream.name).at(-1) !== 'COMPLETE').map((s) => s.stream.name)).toEqual([]);
    });
  });

  describe.each(testCase.states.map((s) => [s.description, s.path] as const))('a state Airbyte wrote: %s', (_description, path) => {
    let state: Json[];
    let selected: ConfiguredCatalog;
    let result: CliResult;
    beforeAll(async () => {
      state = readRepoJson(path) as Json[];
      selected = catalog;
      result = await suite.read(config, selected, state);
    }, ms(testCase.timeout_seconds, 240));

    /** Per incremental stream of the state: Airbyte's resume points by parent. */
    const resumes = () =>
      state
        .map((m) => ({ stream: m.stream.stream_descriptor.name as string, state: m.stream.stream_state as Json }))
        .filter(({ stream }) => cursorOf(stream) !== undefined && catalog.streams.find((s) => s.stream.name === stream)?.sync_mode === 'incremental')
        .map(({ stream, state: s }) => ({ stream, field: cursorOf(stream)!, resume: airbyteResume(s, cursorOf(stream)!, testCase.lookback_seconds[stream] ?? 0) }));
    const parentOf = (stream: string, data: Json) => (testCase.partition_fields[stream] ? data[testCase.partition_fields[stream]] : undefined);

    it('is read with exit 0 and no error', () => {
      expect(resumes().length).toBeGreaterThan(0);
      expect([result.exitCode, ...errorsOf(result)]).toEqual([0]);
    });

    it("loses nothing: every record at or after Airbyte's cursor for its parent comes back", () => {
      const got = keysByStream(result, catalog);
      const problems: string[] = [];
      let expected = 0;
      for (const { stream, field, resume } of resumes()) {
        const key = catalog.streams.find((s) => s.stream.name === stream)!.primary_key ?? [];
        for (const data of full.records(stream)) {
          const at = toSeconds(data[field]);
          if (at === undefined || at < resume(parentOf(stream, data)).mustFrom) continue;
          expected++;
          const pk = primaryKeyOf(data, key)!;
          if (!got.get(stream)?.has(pk)) problems.push(`${stream} ${pk} (${field} ${data[field]}) did not come back`);
        }
      }
      expect(expected).toBeGreaterThan(0);
      expect(problems.slice(0, 20)).toEqual([]);
    });

    it('re-reads only what Airbyte re-read: nothing from before its cursor less its lookback, so no full re-read', () => {
      const problems: string[] = [];
      let olderInFull = 0;
      for (const { stream, field, resume } of resumes()) {
        for (const data of result.records(stream)) {
          if (data._ab_cdc_deleted_at !== undefined) continue;
          const at = toSeconds(data[field]);
          const { mayFrom } = resume(parentOf(stream, data));
          if (at !== undefined && at < mayFrom) problems.push(`${stream}: ${field} ${data[field]} is before ${mayFrom}`);
        }
        olderInFull += full.records(stream).filter((data) => (toSeconds(data[field]) ?? Infinity) < resume(parentOf(stream, data)).mayFrom).length;
      }
      expect(problems.slice(0, 20)).toEqual([]);
      // The data gives the check something to bite on: a full re-read would have printed these.
      expect(olderInFull).toBeGreaterThan(0);
    });

    it("prints STATE in this connector's own shape, from which the next read goes on", async () => {
      const leftovers = resumes().flatMap(({ stream }) => Object.keys(result.lastState(stream) ?? {}).filter((k) => AIRBYTE_KEYS.includes(k)).map((k) => `${stream}.${k}`));
      expect(leftovers).toEqual([]);
      const next = await suite.read(config, selected, result.finalState());
      expect([next.exitCode, ...errorsOf(next)]).toEqual([0]);
      expect(next.records().length).toBeLessThanOrEqual(result.records().length);
    }, ms(testCase.timeout_seconds, 240));
  });
});

outputChecks(suite.keys);
