/**
 * Issue 9, bad input: at least 500 generated cases (configs, catalogs, states, command lines; see
 * support/bad-input.ts), each run through `main(argv, output)` in-process, and a sample through the built CLI.
 * Every case: a non-zero exit with exactly one TRACE ERROR `config_error` naming the problem (or, for
 * `check` with a config it could read, CONNECTION_STATUS FAILED naming it), valid protocol on stdout, no
 * stack trace, no record, no request to the API, no key in any output.
 *
 * The seed is printed; `CIO_FUZZ_SEED=<seed>` replays a run. `CIO_FUZZ_CASES` changes the count.
 */
import { ALL_COMMANDS, usage } from '../../src/command-table.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config.js';
import { streamsFor } from '../../src/customerio/streams/index.js';
import type { Message } from '../helpers/cli.js';
import { BadInputGenerator, type BadCase } from './support/bad-input.js';
import { errorsOf, logsOf, runInProcess, runRecorded } from './support/run.js';

const SEED = process.env.CIO_FUZZ_SEED ? Number(process.env.CIO_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const COUNT = Number(process.env.CIO_FUZZ_CASES ?? 520);
const CLI_SAMPLE = 16;

// The trap: answers every request as a healthy API would, so a bad input the connector wrongly accepts shows.
let requests = 0;
let trap: Server;
const trapReady = new Promise<string>((resolve) => {
  trap = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ workspaces: [{ id: 1, name: 'trap' }], campaigns: [] }));
  });
  trap.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(trap.address() as AddressInfo).port}/v1`));
});

const offered = streamsFor(parseConfig({ app_api_key: 'offered-streams' })).map((d) => ({ name: d.name, incremental: d.incremental !== undefined, cursorField: d.incremental?.cursorField }));
// The port is only known once the trap listens; cases are generated with a placeholder host rewritten per run.
const PLACEHOLDER = 'http://127.0.0.1:1/trap/v1';
const cases = new BadInputGenerator(SEED, PLACEHOLDER, offered).cases(COUNT);
let trapUrl = '';

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
const withTrap = (c: BadCase): BadCase => JSON.parse(JSON.stringify(c).split(PLACEHOLDER).join(trapUrl), (key, value) => (key === 'problem' ? c.problem : value)) as BadCase;

beforeAll(async () => {
  trapUrl = await trapReady;
  // Nothing should ever be requested; if something is, one quick attempt.
  process.env.CIO_MAX_TRIES = '1';
  process.env.CIO_REQUEST_TIMEOUT_MS = '1000';
  process.stdout.write(`bad input: ${cases.length} cases from seed ${SEED} (replay: CIO_FUZZ_SEED=${SEED})\n`);
});
afterAll(async () => {
  delete process.env.CIO_MAX_TRIES;
  delete process.env.CIO_REQUEST_TIMEOUT_MS;
  await new Promise((resolve) => trap.close(resolve));
});

function expectCleanRejection(c: BadCase, code: number | null, messages: Message[], stderr: string): void {
  const context = `${c.name} (seed ${SEED})`;
  const statuses = messages.filter((m) => m.type === 'CONNECTION_STATUS');
  const errors = errorsOf(messages);
  if (c.argv[0] === 'check' && statuses.length > 0) {
    // A config check reads the file and answers FAILED itself (the protocol's way), exit 0.
    expect({ context, statuses: statuses.map((m) => m.connectionStatus.status), errors }).toEqual({ context, statuses: ['FAILED'], errors: [] });
    expect({ context, message: statuses[0].connectionStatus.message }).toEqual({ context, message: expect.stringMatching(c.problem) });
    expect(code).toBe(0);
  } else {
    expect({ context, code: code === 0 ? 0 : 'non-zero', errors: errors.map((e) => e.failure_type) }).toEqual({ context, code: 'non-zero', errors: ['config_error'] });
    expect({ context, message: errors[0].message }).toEqual({ context, message: expect.stringMatching(c.problem) });
  }
  expect({ context, data: messages.filter((m) => ['RECORD', 'STATE', 'CATALOG', 'SPEC'].includes(m.type)).map((m) => m.type) }).toEqual({ context, data: [] });
  for (const m of messages) expect({ context, stack: STACK_LINE.test(JSON.stringify(m).replace(/\\n/g, '\n')) }).toEqual({ context, stack: false });
  expect({ context, stderr: STACK_LINE.test(stderr) }).toEqual({ context, stderr: false });
}

describe(`bad input, generated (seed ${SEED}; CIO_FUZZ_SEED=${SEED} replays)`, () => {
  it('has at least 500 cases from every family', () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
    for (const family of ['config', 'catalog', 'state', 'argv']) expect(cases.filter((c) => c.name.includes(` ${family}`) || c.name.includes(`# ${family}`)).length).toBeGreaterThan(30);
  });

  describe('in-process, through main(argv, output)', () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, raw) => {
      const c = withTrap(raw);
      const before = requests;
      const run = await runInProcess(c.argv, c.files);
      expectCleanRejection(c, run.code, run.messages, run.stderr);
      expect({ context: c.name, requests: requests - before }).toEqual({ context: c.name, requests: 0 });
    });
  });

  it('a state cursor in the future is not bad input: nothing newer is read, exit 0, and a WARN names the stream and the cursor', async () => {
    // Airbyte's abnormal-state acceptance test expects no error here; the WARN is for the user who mistyped it.
    const future = Math.floor(Date.now() / 1000) + 90 * 86_400;
    const catalog = { streams: [{ stream: { name: 'campaigns', json_schema: {}, supported_sync_modes: ['incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append' }] };
    for (const state of [[{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: future } } }], { campaigns: { updated: future * 1000 } }]) {
      const run = await runInProcess(['read'], { config: { app_api_key: 'future-state-key-0001', api_base_url: trapUrl }, catalog, state });
      expect(errorsOf(run.messages)).toEqual([]);
      expect(run.code).toBe(0);
      expect(logsOf(run.messages, 'WARN')).toContainEqual(expect.stringMatching(/^The state of stream "campaigns" has a cursor in the future: updated \(\d+\)/));
    }
  });

  describe('a sample through the built CLI', () => {
    const sample = cases.filter((_, i) => i % Math.ceil(cases.length / CLI_SAMPLE) === 0);
    it.each(sample.map((c) => [c.name, c] as const))('%s', async (_name, raw) => {
      const c = withTrap(raw);
      const before = requests;
      const result = await runRecorded(c.argv, c.files, { env: { CIO_MAX_TRIES: '1' } });
      expectCleanRejection(c, result.exitCode, result.messages, result.stderr);
      // Nothing on stderr, but the usage where the command itself is missing or unknown (a person's mistake).
      const known = ALL_COMMANDS().some((command) => command.name === c.argv[0]);
      expect(result.stderr).toBe(known ? '' : `${usage()}\n`);
      expect({ context: c.name, requests: requests - before }).toEqual({ context: c.name, requests: 0 });
    });
  });
});
