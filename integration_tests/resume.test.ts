/**
 * Resume (acceptance_tests.resume, not a CAT section): a read stopped after some STATE messages, by SIGKILL
 * or by a fault the sandbox injects, then rerun from the last STATE it printed for each stream, ends with
 * every record of an uninterrupted read present (compared by primary key). This is what checkpoints are for: a
 * platform commits records up to a STATE and resumes from it.
 */
import { CliResult as CliResultClass, type CliResult } from '../test/helpers/cli.js';
import { casesOf, type ResumeCase } from './lib/config.js';
import type { ConfiguredCatalog } from './lib/catalogs.js';
import { outputChecks } from './lib/run.js';
import { cursorRegressions, finalStates, keysByStream, missingKeys, stateMap } from './lib/streams.js';
import { Suite } from './lib/suite.js';
import type { FaultRule } from '../src/sandbox/types.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const { cases, bypass } = casesOf('resume');

/** The run as a platform commits it: each stream's records up to its last STATE. */
function committedPart(result: CliResult): CliResult {
  const lastState = new Map<string, number>();
  result.messages.forEach((m, i) => {
    if (m.type === 'STATE') lastState.set(m.state.stream.stream_descriptor.name, i);
  });
  const kept = result.messages.filter((m, i) => m.type !== 'RECORD' || i < (lastState.get(m.record.stream) ?? -1));
  return new CliResultClass(result.exitCode, result.signal, kept, '', '');
}

describe.each(cases.map((c) => [c.description, c] as const))('resume: %s', (_title, testCase: ResumeCase) => {
  let catalog: ConfiguredCatalog;
  let baseline: CliResult;
  let stopped: CliResult;
  let resumed: CliResult;
  let resumedFrom: Array<Record<string, unknown>>;

  beforeAll(async () => {
    const config = suite.config(testCase);
    catalog = await suite.catalog(config, undefined, testCase.catalog ?? 'mixed');
    baseline = await suite.read(config, catalog);

    let states = 0;
    suite.sandbox.setFaults((testCase.faults ?? []) as unknown as FaultRule[]);
    try {
      stopped = await suite.read(config, catalog, undefined, {
        fresh: true,
        env: testCase.env,
        onMessage: (message, child) => {
          if (message.type === 'STATE' && ++states === testCase.kill_after_states) child.kill('SIGKILL');
        },
      });
    } finally {
      suite.sandbox.setFaults([]);
    }
    resumedFrom = finalStates(stopped.messages);
    resumed = await suite.read(config, catalog, resumedFrom, { fresh: true });
  }, 240_000);

  it('the uninterrupted read ends with exit 0 and has records', () => {
    expect(baseline.exitCode).toBe(0);
    expect(baseline.ofType('RECORD').length).toBeGreaterThan(0);
  });

  if (testCase.kill_after_states) {
    it(`the first read was killed by SIGKILL after ${testCase.kill_after_states} STATE messages, before it finished`, () => {
      expect(stopped.signal).toBe('SIGKILL');
      expect(stopped.ofType('STATE').length).toBeGreaterThanOrEqual(testCase.kill_after_states!);
      expect(stopped.ofType('RECORD').length).toBeLessThan(baseline.ofType('RECORD').length);
    });
  } else {
    it('the first read fails: a non-zero exit, a TRACE ERROR, and STATE messages before it', () => {
      expect(stopped.exitCode).not.toBe(0);
      expect(stopped.errors.length).toBeGreaterThan(0);
      expect(stopped.ofType('STATE').length).toBeGreaterThan(0);
      const incomplete = catalog.streams.filter((s) => stopped.statuses(s.stream.name).at(-1) === 'INCOMPLETE');
      expect(incomplete.length).toBeGreaterThan(0);
    });
  }

  it('the rerun from the last STATE printed ends with exit 0 and moves no cursor backwards', () => {
    expect([resumed.exitCode, ...resumed.errors.map((e) => e.message)]).toEqual([0]);
    const cursorFields = new Map(
      catalog.streams.flatMap((s) => (s.sync_mode === 'incremental' && s.stream.default_cursor_field ? [[s.stream.name, (s.cursor_field ?? s.stream.default_cursor_field)[0]] as [string, string]] : [])),
    );
    expect(cursorRegressions(resumed, cursorFields, stateMap(resumedFrom))).toEqual([]);
  });

  it('the records the first run committed (those before its last STATE of their stream) and the rerun cover every record of the uninterrupted read (by primary key)', () => {
    // A platform keeps only what a STATE covers: records printed after a stream's last STATE are dropped.
    const union = keysByStream(committedPart(stopped), catalog);
    for (const [stream, keys] of keysByStream(resumed, catalog)) for (const key of keys) union.get(stream)?.add(key);
    expect(missingKeys(keysByStream(baseline, catalog), union)).toEqual([]);
  });
});

if (bypass) it(`resume is bypassed: ${bypass}`, () => expect(bypass).toBeTruthy());

outputChecks(() => suite.keys());
