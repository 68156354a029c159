/**
 * CAT `incremental` at high strictness: cursors never move backwards; a second read from the first read's
 * final state honours it (nothing older than the cursor minus the stream's lookback, so it differs from the
 * first wherever the first had older records); re-reading from intermediate checkpoints loses nothing
 * (CAT's sequential slices); a far-future state reads nothing and still checkpoints; the legacy
 * single-object state form reads the same as the per-stream array.
 */
import type { CliResult } from '../test/helpers/cli.js';
import { casesOf, readRepoJson } from './lib/config.js';
import type { ConfiguredCatalog } from './lib/catalogs.js';
import { cli, outputChecks } from './lib/run.js';
import { cursorRegressions, cursorsOf, finalStates, keysByStream, recordCounts, stateMap, toSeconds } from './lib/streams.js';
import { Suite, ms } from './lib/suite.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const { cases, bypass } = casesOf('incremental');
const errorsOf = (result: CliResult) => result.errors.map((e) => `${e.failure_type}: ${e.message}`);

/** Evenly spread indices of STATE messages (the last one left out: it is the final state). */
function checkpointPositions(result: CliResult, count: number): number[] {
  const states = result.messages.flatMap((m, i) => (m.type === 'STATE' ? [i] : [])).slice(0, -1);
  if (states.length <= count) return states;
  return Array.from({ length: count }, (_, k) => states[Math.floor(((k + 1) * states.length) / (count + 1))]);
}

/** The input state after the first `position + 1` messages, and the records each stream had counted by then. */
function stateAt(result: CliResult, position: number) {
  const prefix = result.messages.slice(0, position + 1);
  const counted = new Map<string, number>();
  for (const m of prefix) {
    if (m.type !== 'STATE') continue;
    const name = m.state.stream.stream_descriptor.name as string;
    counted.set(name, (counted.get(name) ?? 0) + (m.state.sourceStats?.recordCount ?? 0));
  }
  return { state: finalStates(prefix), counted };
}

describe.each(cases.map((c, i) => [i, c] as const))('incremental #%i', (_i, testCase) => {
  let config: Record<string, unknown>;
  let catalog: ConfiguredCatalog;
  let cursorFields: Map<string, string>;
  let first: CliResult;
  let finalState: Array<Record<string, unknown>>;
  let second: CliResult;
  const lookback = (stream: string) => testCase.lookback_seconds?.[stream] ?? 0;

  beforeAll(async () => {
    config = suite.config(testCase);
    catalog = await suite.catalog(config, testCase.configured_catalog_path, 'incremental');
    cursorFields = new Map(
      catalog.streams.flatMap((s) => {
        const field = (s.cursor_field ?? s.stream.default_cursor_field)?.[0];
        return field ? [[s.stream.name, field] as [string, string]] : [];
      }),
    );
    first = await suite.read(config, catalog);
    finalState = finalStates(first.messages);
    second = await suite.read(config, catalog, finalState);
  }, ms(testCase.timeout_seconds, 240));

  it('reads every stream of the catalog incrementally', () => {
    expect(catalog.streams.length).toBeGreaterThan(0);
    expect(catalog.streams.filter((s) => s.sync_mode !== 'incremental' || !cursorFields.has(s.stream.name)).map((s) => s.stream.name)).toEqual([]);
  });

  it('both reads end with exit 0 and no error trace', () => {
    expect([first.exitCode, second.exitCode, ...errorsOf(first), ...errorsOf(second)]).toEqual([0, 0]);
  });

  it('never moves a cursor backwards, within a read or from the state it was given', () => {
    expect([...cursorRegressions(first, cursorFields), ...cursorRegressions(second, cursorFields, stateMap(finalState))]).toEqual([]);
  });

  it('returns nothing older than the saved cursor minus the lookback on the second read', () => {
    const saved = stateMap(finalState);
    const problems: string[] = [];
    for (const m of second.recordMessages()) {
      const stream = m.record.stream as string;
      const data = m.record.data as Record<string, unknown>;
      const field = cursorFields.get(stream);
      if (!field || data._ab_cdc_deleted_at !== undefined) continue;
      const cursors = cursorsOf(saved.get(stream), field);
      const partitionField = testCase.partition_fields?.[stream];
      let bound: unknown;
      if (cursors.has('')) bound = cursors.get('');
      else if (partitionField) bound = cursors.get(String(data[partitionField]));
      else if (cursors.size === 1) bound = [...cursors.values()][0];
      else bound = [...cursors.values()].sort((a, b) => (toSeconds(a) ?? 0) - (toSeconds(b) ?? 0))[0];
      const boundSeconds = toSeconds(bound);
      const value = toSeconds(data[field]);
      if (boundSeconds === undefined) continue; // a partition the first read did not have
      if (value === undefined) problems.push(`${stream}: a record has no readable ${field} (${JSON.stringify(data[field])})`);
      else if (value < boundSeconds - lookback(stream)) {
        problems.push(`${stream}: record with ${field} ${JSON.stringify(data[field])} is older than the saved cursor ${JSON.stringify(bound)} minus ${lookback(stream)} s`);
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('differs from the first read wherever the first read had records older than the cursor minus the lookback', () => {
    const saved = stateMap(finalState);
    const firstCounts = recordCounts(first);
    const secondCounts = recordCounts(second);
    const problems: string[] = [];
    let shouldShrink = 0;
    for (const [stream, field] of cursorFields) {
      const cursors = [...cursorsOf(saved.get(stream), field).values()].map(toSeconds).filter((v): v is number => v !== undefined);
      if (!cursors.length) continue;
      // Records of the first read that any honoured cursor would leave out.
      const maxBound = Math.max(...cursors) - lookback(stream);
      const minBound = Math.min(...cursors) - lookback(stream);
      const older = first.records(stream).filter((r) => (toSeconds(r[field]) ?? Infinity) < minBound).length;
      if (!older) continue;
      shouldShrink++;
      if ((secondCounts.get(stream) ?? 0) >= (firstCounts.get(stream) ?? 0)) {
        problems.push(`${stream}: the second read printed ${secondCounts.get(stream) ?? 0} records, the first ${firstCounts.get(stream)}, though ${older} of them are older than every saved cursor (${minBound}..${maxBound} after lookback)`);
      }
    }
    expect(problems).toEqual([]);
    // The sandbox data must give this check something to bite on.
    expect(shouldShrink).toBeGreaterThan(0);
    expect(JSON.stringify(second.records())).not.toEqual(JSON.stringify(first.records()));
  });

  describe(`re-read from ${testCase.checkpoints ?? 5} intermediate checkpoints`, () => {
    let reruns: Array<{ position: number; counted: Map<string, number>; result: CliResult }>;

    beforeAll(async () => {
      reruns = [];
      for (const position of checkpointPositions(first, testCase.checkpoints ?? 5)) {
        const { state, counted } = stateAt(first, position);
        reruns.push({ position, counted, result: await suite.read(config, catalog, state) });
      }
    }, ms(testCase.timeout_seconds, 300));

    it(`uses ${testCase.checkpoints ?? 5} checkpoints`, () => {
      expect(reruns.length).toBe(testCase.checkpoints ?? 5);
    });

    it('each re-read ends with exit 0 and never moves a cursor backwards from its state', () => {
      const problems: string[] = [];
      for (const { position, result } of reruns) {
        const given = stateMap(stateAt(first, position).state);
        problems.push(...errorsOf(result).map((e) => `from message ${position}: ${e}`));
        if (result.exitCode !== 0) problems.push(`from message ${position}: exit ${result.exitCode}`);
        problems.push(...cursorRegressions(result, cursorFields, given).map((p) => `from message ${position}: ${p}`));
      }
      expect(problems).toEqual([]);
    });

    it('each re-read returns at least the records not yet counted at its checkpoint', () => {
      const totals = recordCounts(first);
      const problems: string[] = [];
      for (const { position, counted, result } of reruns) {
        const got = recordCounts(result);
        for (const [stream, total] of totals) {
          const needed = total - (counted.get(stream) ?? 0);
          if ((got.get(stream) ?? 0) < needed) problems.push(`${stream} from the checkpoint at message ${position}: ${got.get(stream) ?? 0} records, fewer than the ${needed} of ${total} not counted by then`);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  if (testCase.future_state) {
    const future = testCase.future_state;
    describe(`from ${future.future_state_path}`, () => {
      let abnormal: Array<Record<string, unknown>>;
      let result: CliResult;

      beforeAll(async () => {
        abnormal = readRepoJson(future.future_state_path) as Array<Record<string, unknown>>;
        result = await suite.read(config, catalog, abnormal);
      }, ms(testCase.timeout_seconds));

      it('is a STREAM-state array with a state for every incremental stream (or a declared reason)', () => {
        const missing = new Map((future.missing_streams ?? []).map((s) => [s.name, s.bypass_reason]));
        const has = stateMap(abnormal);
        expect(Array.isArray(abnormal) && abnormal.every((s) => s.type === 'STREAM')).toBe(true);
        const problems = [...cursorFields.keys()].filter((s) => !has.has(s) && !missing.get(s)?.trim()).map((s) => `${s} has no state in ${future.future_state_path}; run npm run catalogs or declare it in missing_streams`);
        expect(problems).toEqual([]);
      });

      it('reads no record and still prints a STATE for every stream, moving no cursor backwards', () => {
        expect(result.exitCode).toBe(0);
        expect(errorsOf(result)).toEqual([]);
        const records = recordCounts(result);
        expect([...records].map(([s, n]) => `${s}: ${n} records`)).toEqual([]);
        expect([...cursorFields.keys()].filter((s) => result.states(s).length === 0)).toEqual([]);
        expect(cursorRegressions(result, cursorFields, stateMap(abnormal))).toEqual([]);
      });
    });
  }

  if (testCase.legacy_state !== false) {
    it('accepts the final state in the legacy single-object form and reads the same as from the array form', async () => {
      const legacy = Object.fromEntries(stateMap(finalState));
      const result = await cli(['read'], { config, catalog, state: legacy }, { timeoutMs: ms(testCase.timeout_seconds) });
      expect([result.exitCode, ...errorsOf(result)]).toEqual([0]);
      const a = keysByStream(second, catalog);
      const b = keysByStream(result, catalog);
      const problems = [...a].filter(([stream, keys]) => JSON.stringify([...keys].sort()) !== JSON.stringify([...(b.get(stream) ?? [])].sort())).map(([stream, keys]) => `${stream}: ${b.get(stream)?.size ?? 0} records from the legacy form, ${keys.size} from the array form`);
      expect(problems).toEqual([]);
    }, ms(testCase.timeout_seconds));
  }
});

if (bypass) it(`incremental is bypassed: ${bypass}`, () => expect(bypass).toBeTruthy());

outputChecks(() => suite.keys());
