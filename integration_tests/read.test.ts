/**
 * CAT `basic_read` and `full_refresh` at high strictness, against the sandbox: every record keeps its
 * stream's schema, every stream reports STARTED → RUNNING → COMPLETE and checkpoints with exact record
 * counts, the records the fixed seed must produce are there, and two full refreshes agree on the records.
 * The first full-refresh read is the basic read when their config and catalog agree (one read, two uses).
 */
import type { CliResult } from '../test/helpers/cli.js';
import { casesOf } from './lib/config.js';
import { primaryKeys, keysByStream, recordLines, statusProblems, stateProblems, primaryKeyOf, messageLines } from './lib/streams.js';
import { recordValidator, type RecordValidator } from './lib/schema.js';
import type { ConfiguredCatalog } from './lib/catalogs.js';
import { Suite, ms, readExpectedRecords } from './lib/suite.js';
import { outputChecks } from './lib/run.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const basic = casesOf('basic_read');
const fullRefresh = casesOf('full_refresh');

const errorsOf = (result: CliResult) => result.errors.map((e) => `${e.failure_type}: ${e.message}`);

describe.each(basic.cases.map((c, i) => [i, c] as const))('basic_read #%i', (_i, testCase) => {
  let catalog: ConfiguredCatalog;
  let result: CliResult;
  let selected: string[];
  const empty = new Map((testCase.empty_streams ?? []).map((s) => [s.name, s.bypass_reason]));

  beforeAll(async () => {
    const config = suite.config(testCase);
    catalog = await suite.catalog(config, testCase.configured_catalog_path, 'full_refresh');
    selected = catalog.streams.map((s) => s.stream.name);
    result = await suite.read(config, catalog);
  }, ms(testCase.timeout_seconds));

  it('ends with exit 0 and no error trace', () => {
    expect({ exit: result.exitCode, errors: errorsOf(result) }).toEqual({ exit: 0, errors: [] });
  });

  it(`validates every record against its stream's schema (strict integers, CAT date-time${testCase.fail_on_extra_columns === false ? '' : ', no undeclared fields'})`, () => {
    const validators = new Map<string, RecordValidator>(
      catalog.streams.map((s) => [s.stream.name, recordValidator(s.stream.json_schema, { failOnExtraColumns: testCase.fail_on_extra_columns ?? true })]),
    );
    const pks = primaryKeys(catalog);
    const problems: string[] = [];
    const perStream = new Map<string, number>();
    for (const record of recordLines(result)) {
      const validate = validators.get(record.stream);
      if (!validate) continue; // reported by the selected-streams check
      for (const problem of validate(record.data, record.raw)) {
        // At most 3 problems per stream, so one systematic mistake does not drown the rest.
        const n = (perStream.get(record.stream) ?? 0) + 1;
        perStream.set(record.stream, n);
        if (n <= 3) problems.push(`${record.stream} record on stdout line ${record.line} (primary key ${primaryKeyOf(record.data, pks.get(record.stream) ?? []) ?? '?'}): ${problem}`);
      }
    }
    for (const [stream, n] of perStream) if (n > 3) problems.push(`${stream}: ${n - 3} more schema problems`);
    expect(problems).toEqual([]);
  });

  it('prints records, states and statuses of the selected streams only', () => {
    const named = new Set<string>();
    for (const m of result.messages) {
      if (m.type === 'RECORD') named.add(m.record.stream);
      if (m.type === 'STATE') named.add(m.state.stream?.stream_descriptor?.name);
      if (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS') named.add(m.trace.stream_status.stream_descriptor.name);
    }
    expect([...named].filter((n) => !selected.includes(n))).toEqual([]);
  });

  it('has records in every stream except those declared empty (each with a reason)', () => {
    const counts = keysByStream(result, catalog);
    const problems: string[] = [];
    for (const stream of selected) {
      if (empty.has(stream)) continue;
      if (!result.records(stream).length) problems.push(`${stream} printed no record; seed the sandbox, or declare it in empty_streams with a bypass_reason`);
    }
    for (const [name, reason] of empty) {
      if (!selected.includes(name)) problems.push(`empty_streams names ${name}, which the catalog does not select`);
      if (!reason?.trim()) problems.push(`empty_streams: ${name} has no bypass_reason`);
    }
    expect(problems).toEqual([]);
    expect(counts.size).toBe(selected.length);
  });

  it('reports STARTED, RUNNING…, COMPLETE for every stream, in that order', () => {
    expect(statusProblems(result, selected)).toEqual([]);
  });

  it("checkpoints every stream with STREAM states whose recordCount equals the stream's records since its previous state", () => {
    expect(stateProblems(result, selected)).toEqual([]);
  });

  if (testCase.expect_records) {
    const expectRecords = testCase.expect_records;
    it(`prints every record of ${expectRecords.path} (by primary key)`, () => {
      const expected = readExpectedRecords(expectRecords.path);
      const pks = primaryKeys(catalog);
      const got = keysByStream(result, catalog);
      const problems: string[] = [];
      expected.forEach((record, i) => {
        if (!selected.includes(record.stream)) return;
        const key = primaryKeyOf(record.data, pks.get(record.stream) ?? []);
        if (key === undefined) problems.push(`${expectRecords.path} line ${i + 1} (${record.stream}) lacks a primary key field`);
        else if (!got.get(record.stream)?.has(key)) problems.push(`${record.stream} record with primary key ${key} (${expectRecords.path} line ${i + 1}) was not printed`);
      });
      expect(problems).toEqual([]);
      // Every selected stream with records has expected records, so a new stream cannot pass unchecked.
      const covered = new Set(expected.map((r) => r.stream));
      const excluded = new Map((expectRecords.exclude_streams ?? []).map((s) => [s.name, s.bypass_reason]));
      const uncovered = selected.filter((s) => !empty.has(s) && !excluded.has(s) && !covered.has(s));
      expect(uncovered.map((s) => `${s} has no record in ${expectRecords.path}; run npm run catalogs (or exclude it with a reason)`)).toEqual([]);
      expect([...excluded].filter(([, reason]) => !reason?.trim()).map(([name]) => `exclude_streams: ${name} has no bypass_reason`)).toEqual([]);
    });
  }

  if (testCase.expect_trace_message_on_failure) {
    it('ends a catalog with an unknown stream and sync mode INVALID with a TRACE ERROR and a non-zero exit', async () => {
      const broken = {
        streams: [
          {
            stream: { name: 'stream_that_does_not_exist', json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh'] },
            sync_mode: 'INVALID',
            destination_sync_mode: 'overwrite',
          },
        ],
      } as unknown as ConfiguredCatalog;
      const failed = await suite.read(suite.config(testCase), broken);
      expect(failed.exitCode).not.toBe(0);
      expect(failed.errors.length).toBeGreaterThanOrEqual(1);
      expect(failed.ofType('RECORD')).toEqual([]);
    });
  }
});

describe.each(fullRefresh.cases.map((c, i) => [i, c] as const))('full_refresh #%i', (_i, testCase) => {
  let catalog: ConfiguredCatalog;
  let first: CliResult;
  let second: CliResult;

  beforeAll(async () => {
    const config = suite.config(testCase);
    catalog = await suite.catalog(config, testCase.configured_catalog_path, 'full_refresh');
    first = await suite.read(config, catalog);
    // The second read starts after the first ended, as on a platform: its clock (the suite's is the sandbox's frozen
    // one, issue 21) starts a second after the first read's last stamp, however long that read took.
    const firstEnded = first.messages.reduce((last, m) => Math.max(last, m.record?.emitted_at ?? m.trace?.emitted_at ?? 0), 0);
    second = await suite.read(config, catalog, undefined, {
      fresh: true,
      env: { CIO_TEST_CLOCK: String(Math.ceil(firstEnded / 1000) + 1) },
      clockApart: { maxSeconds: 15 * 60, reason: "a second read after the first one's time on the connector's clock" },
    });
  }, ms(testCase.timeout_seconds, 300));

  it('both reads end with exit 0 and no error trace', () => {
    expect([first.exitCode, second.exitCode, ...errorsOf(first), ...errorsOf(second)]).toEqual([0, 0]);
  });

  it('both reads give the same primary keys in every stream', () => {
    const a = keysByStream(first, catalog);
    const b = keysByStream(second, catalog);
    const problems: string[] = [];
    for (const [stream, keys] of a) {
      const other = b.get(stream) ?? new Set<string>();
      const onlyFirst = [...keys].filter((k) => !other.has(k));
      const onlySecond = [...other].filter((k) => !keys.has(k));
      if (onlyFirst.length || onlySecond.length) problems.push(`${stream}: only in the first read ${onlyFirst.slice(0, 5).join(' ')}; only in the second ${onlySecond.slice(0, 5).join(' ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('prints no primary key twice within one read', () => {
    const pks = primaryKeys(catalog);
    const problems: string[] = [];
    const lines = messageLines(first);
    const seen = new Map<string, number>();
    first.messages.forEach((m, i) => {
      if (m.type !== 'RECORD') return;
      const key = `${m.record.stream} ${primaryKeyOf(m.record.data, pks.get(m.record.stream) ?? [])}`;
      if (seen.has(key)) problems.push(`${key} on stdout lines ${seen.get(key)} and ${lines[i].line}`);
      else seen.set(key, lines[i].line);
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('stamps every record of the second read later than every record of the first', () => {
    const lastOfFirst = Math.max(...first.recordMessages().map((m) => m.record.emitted_at));
    const firstOfSecond = Math.min(...second.recordMessages().map((m) => m.record.emitted_at));
    expect(first.recordMessages().length).toBeGreaterThan(0);
    expect(firstOfSecond).toBeGreaterThan(lastOfFirst);
  });
});

if (basic.bypass) it(`basic_read is bypassed: ${basic.bypass}`, () => expect(basic.bypass).toBeTruthy());
if (fullRefresh.bypass) it(`full_refresh is bypassed: ${fullRefresh.bypass}`, () => expect(fullRefresh.bypass).toBeTruthy());

outputChecks(() => suite.keys());
