/**
 * `--state` given what people and other tools hand over, through the built CLI: a read's stdout as captured (JSON
 * lines: each stream's last STATE counts), one STATE message, a GLOBAL state, an empty file, another tool's state
 * (Singer's bookmarks); each said in a LOG line or refused saying what --state expects. And `sync --state`: the
 * tables start from a read's state (or Airbyte's) instead of from scratch.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

let sb: Sandbox;
let config: Record<string, unknown>;
let env: () => Record<string, string>;
let first: CliResult;
/** The read that continues from `first`'s final state given as the per-stream array: what every other form must match. */
let next: CliResult;
const catalog = configuredCatalog([
  { name: 'campaigns', syncMode: 'incremental' },
  { name: 'messages', syncMode: 'incremental' },
]);

beforeAll(async () => {
  sb = await startSandbox({ seed: 13, sizes: { campaigns: 5, messages: 60, deliveries: 20 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
  env = () => ({ CIO_TEST_CLOCK: String(sb.now()), CIO_REQUESTS_PER_SECOND: 'off' });
  first = await runCli(['read'], { config, catalog }, { env: env() });
  expect(first.exitCode).toBe(0);
  next = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: env() });
  // From a state, messages re-reads its recent lookback only: fewer records than the first read's.
  expect(next.records('messages').length).toBeLessThan(first.records('messages').length);
});

/** The read continued where `first` stopped, as from the state array. */
function continued(result: CliResult): void {
  expect(result.exitCode).toBe(0);
  expect(result.errors).toEqual([]);
  expect(ids(result, 'messages')).toEqual(ids(next, 'messages'));
  expect(ids(result, 'campaigns')).toEqual(ids(next, 'campaigns'));
}
const ids = (result: CliResult, stream: string) => result.records(stream).map((r) => String(r.id)).sort();
afterAll(() => sb.close());

/** A state file with exactly this text (runCli's files are JSON-encoded when not text). */
function stateFile(text: string): string {
  const path = join(scratchDir('cio-state-'), 'state.txt');
  writeFileSync(path, text);
  return path;
}

const readFrom = (path: string) => runCli(['read', '--state', path], { config, catalog }, { env: env() });

describe('read --state', () => {
  it('continues from a read\'s stdout as captured (JSON lines), taking each stream\'s last STATE', async () => {
    const result = await readFrom(stateFile(first.stdout));
    continued(result);
    expect(result.logs('INFO')[0]).toMatch(/^The --state file .* holds \d+ JSON lines: the last STATE of each of its 2 streams is used \(\d+ other lines passed over: (\w+ ×\d+(, )?){3}\)$/);
  });

  it('takes one STATE message, saying so', async () => {
    const last = first.ofType('STATE').filter((m) => m.state.stream.stream_descriptor.name === 'campaigns').at(-1)!;
    const result = await runCli(['read', '--state', stateFile(JSON.stringify(last))], { config, catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }]) }, { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.logs('INFO')[0]).toMatch(/holds one STATE message: its state is used$/);
    expect(ids(result, 'campaigns')).toEqual(ids(next, 'campaigns'));
  });

  it('takes a GLOBAL state\'s stream states, saying its shared state is not used', async () => {
    const global = { type: 'GLOBAL', global: { shared_state: { position: 7 }, stream_states: first.finalState().map((s) => s.stream) } };
    const result = await readFrom(stateFile(JSON.stringify([global])));
    continued(result);
    expect(result.logs('INFO')[0]).toMatch(/holds a GLOBAL state: its stream_states are used; its shared_state is not used/);
  });

  it('says an empty file holds no state, and reads as a first read', async () => {
    const result = await readFrom(stateFile(''));
    expect(result.exitCode).toBe(0);
    expect(result.logs('WARN')).toContainEqual(expect.stringMatching(/^The --state file .* is empty: it holds no state to start from$/));
    expect(result.records('campaigns').length).toBe(sb.expected.counts().campaigns);
  });

  it.each<[string, string, RegExp]>([
    ['Singer bookmarks', JSON.stringify({ bookmarks: { campaigns: { updated: '2024-01-01' } }, currently_syncing: null }), /^The state is a Singer state .* --state expects what a read printed/],
    ['a read\'s output without any STATE', '{"type":"LOG","log":{"level":"INFO","message":"x"}}\n{"type":"TRACE","trace":{}}\n', /holds 2 JSON lines but no STATE message \(LOG ×1, TRACE ×1\): nothing to continue from\. --state expects/],
  ])('refuses %s, saying what it got and what --state expects', async (_case, text, pattern) => {
    const result = await readFrom(stateFile(text));
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(pattern) })]);
  });

  it('says when a state names no stream of this connector at all', async () => {
    const result = await readFrom(stateFile(JSON.stringify({ orders: { since: 5 }, users: { since: 6 } })));
    expect(result.exitCode).toBe(0);
    expect(result.logs('WARN')).toContainEqual(expect.stringMatching(/None of them names a stream of this connector: is it another tool's state\? --state expects/));
  });
});

describe('sync --state', () => {
  it('starts the tables from a read\'s state (its STATE lines), not from scratch, and says so', async () => {
    const path = join(scratchDir('cio-state-'), 'customerio.duckdb');
    const seeded = await runCli(['sync', '--streams', 'campaigns,messages', '--state', stateFile(first.stdout), '--duckdb', path], { config }, { env: env(), raw: true });
    expect(seeded.exitCode).toBe(0);
    expect(seeded.stderr).toMatch(/note: The --state file .* holds \d+ JSON lines/);
    expect(seeded.stdout).toContain("Started campaigns, messages from the --state file's state.");
    // What a read from that state gets, not everything.
    expect(seeded.stdout).toMatch(new RegExp(`\\nmessages +upsert +${next.records('messages').length} `));
    expect(seeded.stdout).toMatch(new RegExp(`\\ncampaigns +upsert +${next.records('campaigns').length} `));
  });

  it('starts from Airbyte\'s state of campaigns_actions, landed in campaign_actions', async () => {
    const path = join(scratchDir('cio-state-'), 'customerio.duckdb');
    // Airbyte's connector saves unix seconds as text; a cursor far ahead of every action: nothing to read again.
    const cursor = String(sb.now() + 3600);
    const airbyte = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns_actions' }, stream_state: { states: [], state: { updated: cursor }, use_global_cursor: true } } }];
    const result = await runCli(['sync', '--streams', 'campaign_actions', '--duckdb', path], { config, state: airbyte }, { env: env(), raw: true });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Started campaign_actions from the --state file's state.");
    expect(result.stdout).toMatch(/\ncampaign_actions +upsert +0 /);
  });

  it('refuses --state beside --full-refresh, before making the file', async () => {
    const result = await runCli(['sync', '--streams', 'campaigns', '--full-refresh'], { config, state: first.finalState() }, { env: env(), raw: true });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: --state and --full-refresh contradict each other/);
  });

  it('refuses a state a read would refuse, naming the stream', async () => {
    const bad = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 'yesterday' } } }];
    const result = await runCli(['sync', '--streams', 'campaigns'], { config, state: bad }, { env: env(), raw: true });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: The --state file's state of stream "campaigns" is not usable: updated must be a unix timestamp/);
  });
});
