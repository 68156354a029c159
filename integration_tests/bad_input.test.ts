/**
 * Bad input (acceptance_tests.bad_input): missing or malformed config, catalog and state files, unknown
 * streams, unsupported sync modes, wrong types, unknown commands. Each must exit non-zero with a TRACE ERROR
 * of failure_type config_error whose message names the problem, never a stack trace alone, and no record.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from '../test/helpers/cli.js';
import { scratchDir } from '../test/helpers/scratch.js';
import { casesOf, fillPlaceholders, readRepoJson, withOverrides, type InputSpec } from './lib/config.js';
import { deriveCatalog, type DiscoveredStream } from './lib/catalogs.js';
import { cli, outputChecks } from './lib/run.js';
import { Suite } from './lib/suite.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const { cases, bypass } = casesOf('bad_input');
const SAMPLE = 'integration_tests/sample_config.json';
const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

let discovered: DiscoveredStream[];
beforeAll(async () => {
  discovered = await suite.discover(suite.config({ config_path: SAMPLE }));
}, 30_000);

/** The catalog of `select`: discovered streams by name (unknown names get a minimal stream entry). */
function selectCatalog(select: Array<{ name: string; sync_mode?: string }>) {
  const full = deriveCatalog(discovered, 'mixed');
  return {
    streams: select.map(({ name, sync_mode }) => {
      const known = full.streams.find((s) => s.stream.name === name);
      const base = known ?? { stream: { name, json_schema: { type: 'object' }, supported_sync_modes: ['full_refresh'] }, destination_sync_mode: 'overwrite' };
      return { ...base, sync_mode: sync_mode ?? 'full_refresh' };
    }),
  };
}

/** Writes one input and returns its path (or undefined to leave the flag out). */
function inputFile(name: string, spec: InputSpec | 'default' | 'none' | undefined, fallback: () => unknown): string | undefined {
  if (spec === 'none') return undefined;
  const dir = scratchDir('cio-bad-input-');
  const path = join(dir, `${name}.json`);
  const given = spec === undefined || spec === 'default' ? undefined : spec;
  if (given?.missing) return path;
  if (given?.directory) return dir;
  let text: string;
  if (given?.text !== undefined) text = given.text;
  else if (given?.json !== undefined) text = JSON.stringify(given.json);
  else if (given?.select) text = JSON.stringify(selectCatalog(given.select));
  else if (given?.path) text = JSON.stringify(fillPlaceholders(withOverrides(readRepoJson(given.path), given.overrides), suite.placeholders));
  else text = JSON.stringify(fallback());
  writeFileSync(path, text);
  return path;
}

describe.each(cases.map((c) => [c.name, c] as const))('bad input: %s', (_name, testCase) => {
  let result: CliResult;

  beforeAll(async () => {
    let argv = testCase.argv;
    if (!argv) {
      argv = ['read'];
      const config = inputFile('config', testCase.config, () => suite.config({ config_path: SAMPLE }));
      const catalog = inputFile('catalog', testCase.catalog, () => selectCatalog([{ name: 'workspaces' }]));
      const state = testCase.state ? inputFile('state', testCase.state, () => []) : undefined;
      if (config) argv.push('--config', config);
      if (catalog) argv.push('--catalog', catalog);
      if (state) argv.push('--state', state);
    }
    // Few, quick retries: a case the connector wrongly accepts must not wait on backoff to fail.
    result = await cli(argv, {}, { env: { CIO_MAX_TRIES: '1' }, timeoutMs: 30_000 });
  }, 40_000);

  it('exits non-zero without printing a record', () => {
    expect(result.exitCode).not.toBe(0);
    expect(result.exitCode).not.toBeNull();
    expect(result.ofType('RECORD')).toEqual([]);
  });

  it(`ends with a TRACE ERROR of failure_type ${testCase.failure_type ?? 'config_error'} matching /${testCase.message_pattern}/`, () => {
    expect(result.errors.map((e) => e.failure_type)).toEqual([testCase.failure_type ?? 'config_error']);
    expect(result.errors[0].message).toMatch(new RegExp(testCase.message_pattern));
  });

  it('says it in words, not as a stack trace (message and stderr)', () => {
    const message = result.errors[0]?.message ?? '';
    expect(message.trim().length).toBeGreaterThan(10);
    expect(STACK_LINE.test(message)).toBe(false);
    expect(STACK_LINE.test(result.stderr)).toBe(false);
  });
});

if (bypass) it(`bad_input is bypassed: ${bypass}`, () => expect(bypass).toBeTruthy());

outputChecks(() => suite.keys());
