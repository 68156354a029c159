/**
 * CAT `connection`: `check` prints exactly one CONNECTION_STATUS, SUCCEEDED for a good config and FAILED
 * with a message that names the fix for each bad one (unknown key, wrong region, unreachable host, refusals),
 * and never prints the key, even when the server echoes it back.
 */
import type { CliResult } from '../test/helpers/cli.js';
import { casesOf, type ConnectionCase } from './lib/config.js';
import { outputChecks, cli } from './lib/run.js';
import { Suite } from './lib/suite.js';
import type { FaultRule } from '../src/sandbox/types.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const { cases, bypass } = casesOf('connection');
const title = (c: ConnectionCase) => `${c.status}: ${c.description ?? c.config_path}`;

describe.each(cases.map((c) => [title(c), c] as const))('check (%s)', (_title, testCase) => {
  let result: CliResult;
  let key: string;

  beforeAll(async () => {
    const config = suite.config(testCase);
    key = String(config.app_api_key);
    suite.sandbox.setFaults((testCase.faults ?? []) as unknown as FaultRule[]);
    try {
      result = await cli(['check'], { config }, { timeoutMs: 60_000 });
    } finally {
      suite.sandbox.setFaults([]);
    }
  }, 70_000);

  if (testCase.status === 'exception') {
    it('ends with one TRACE ERROR and a non-zero exit', () => {
      expect(result.exitCode).not.toBe(0);
      expect(result.errors).toHaveLength(1);
      if (testCase.message_pattern) expect(result.errors[0].message).toMatch(new RegExp(testCase.message_pattern));
    });
  } else {
    it('prints exactly one CONNECTION_STATUS and exits 0', () => {
      expect(result.ofType('CONNECTION_STATUS')).toHaveLength(1);
      expect(result.exitCode).toBe(0);
      expect(result.errors).toEqual([]);
    });

    it(`says ${testCase.status === 'succeed' ? 'SUCCEEDED' : 'FAILED'}${testCase.message_pattern ? ` with a message matching /${testCase.message_pattern}/` : ''}`, () => {
      const status = result.ofType('CONNECTION_STATUS')[0]?.connectionStatus;
      expect(status?.status).toBe(testCase.status === 'succeed' ? 'SUCCEEDED' : 'FAILED');
      if (testCase.status === 'failed') expect(String(status?.message ?? '').length).toBeGreaterThan(10);
      if (testCase.message_pattern) expect(status?.message).toMatch(new RegExp(testCase.message_pattern));
    });
  }

  it('never prints the key it was given', () => {
    expect(result.stdout.includes(key) || result.stderr.includes(key)).toBe(false);
  });
});

if (bypass) it(`connection is bypassed: ${bypass}`, () => expect(bypass).toBeTruthy());

outputChecks(() => suite.keys());
