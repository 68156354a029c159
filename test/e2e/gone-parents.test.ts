/**
 * Per-parent cursors (one per campaign, one per broadcast) of parents deleted in Customer.io do not stay in
 * state forever: the built CLI against the sandbox, whose first clock advance deletes a campaign and a
 * broadcast. A complete read drops their cursors from its final STATE, with one INFO line per stream; the
 * cursors of parents that still exist stay; a stream that fails keeps every cursor it was given.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult, type Message } from '../helpers/cli.js';

const STREAMS = [
  { name: 'campaign_actions', kind: 'campaigns' },
  { name: 'broadcast_actions', kind: 'broadcasts' },
] as const;
/** A parent deleted long ago, before this test's first read: its cursor is only in the state given. */
const LONG_GONE = '999999';
// A STATE after every page that printed or moved something (not every 1,000 records), to watch the ones mid-read.
const FAST = { CIO_REQUESTS_PER_SECOND: 'off', CIO_MAX_TRIES: '2', CIO_BACKOFF_BASE_MS: '5', CIO_BACKOFF_MAX_MS: '20', CIO_CHECKPOINT_RECORDS: '1', CIO_CHECKPOINT_STATE_SHARE: '1000' };

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 11, sizes: { campaigns: 5, broadcasts: 4 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());
afterEach(() => sb.setFaults([]));

const catalog = (names: readonly string[]) => configuredCatalog(names.map((name) => ({ name, syncMode: 'incremental' as const })));
const read = (names: readonly string[], state?: unknown) => runCli(['read'], { config, catalog: catalog(names), state }, { env: { ...FAST, ...sandboxClockEnv(sb) } });
const idsOf = (kind: string) => sb.expected.listIds(kind as 'campaigns').map((id) => String(Number(id))).sort();
const partitionKeys = (state: Record<string, any> | undefined) => Object.keys(state?.partitions ?? {}).sort();
const dropNotes = (result: CliResult) => result.logs().filter((m) => m.includes('dropped the saved cursor'));

/** A final state with one more partition cursor per stream: a parent that no longer exists. */
function withLongGoneParent(states: Message[]): Message[] {
  return states.map((s) => {
    const state = structuredClone(s.stream.stream_state);
    if (state.partitions) state.partitions[LONG_GONE] = Object.values(state.partitions)[0];
    return { ...s, stream: { ...s.stream, stream_state: state } };
  });
}

describe('cursors of parents no longer in Customer.io', () => {
  it('are dropped from the final STATE of a complete read, while parents that still exist keep their cursors', async () => {
    const names = STREAMS.map((s) => s.name);
    const first = await read(names);
    expect(first.exitCode).toBe(0);
    for (const { name, kind } of STREAMS) expect(partitionKeys(first.lastState(name))).toEqual(idsOf(kind));

    sb.advance(6 * 3600); // deletes one campaign and one broadcast
    const given = withLongGoneParent(first.finalState());
    const second = await read(names, given);
    expect(second.errors).toEqual([]);
    expect(second.exitCode).toBe(0);

    for (const { name, kind } of STREAMS) {
      const deleted = sb.expected.deletedIds(kind as 'campaigns').map((id) => String(Number(id)));
      expect(deleted).toHaveLength(1);
      const before = given.find((s) => s.stream.stream_descriptor.name === name)!.stream.stream_state;
      expect(Object.keys(before.partitions)).toEqual(expect.arrayContaining([...deleted, LONG_GONE]));

      expect(second.statuses(name).at(-1)).toBe('COMPLETE');
      const final = second.lastState(name)!;
      expect(partitionKeys(final)).toEqual(idsOf(kind));
      for (const key of idsOf(kind)) expect(final.partitions[key].updated).toBeGreaterThanOrEqual(before.partitions[key].updated);
      // The other keys of the state are still there (delete tracking's ids).
      expect(Array.isArray(final.ids)).toBe(true);
      // Only the final STATE drops: the checkpoints before it still carry every cursor given.
      const states = second.states(name).map((m) => m.state.stream.stream_state);
      expect(states.length).toBeGreaterThan(1);
      for (const mid of states.slice(0, -1)) expect(partitionKeys(mid)).toEqual(expect.arrayContaining([...deleted, LONG_GONE]));

      const notes = dropNotes(second).filter((m) => m.startsWith(`${name}:`));
      expect(notes).toEqual([`${name}: dropped the saved cursors of 2 ${kind} no longer in Customer.io (${[...deleted, LONG_GONE].sort((a, b) => Number(a) - Number(b)).join(', ')})`]);
      expect(second.ofType('LOG').find((m) => m.log.message === notes[0])?.log.level).toBe('INFO');
    }
  });

  it('are dropped for a parent that answers 404 during the read (deleted after the list was read)', async () => {
    const first = await read(['campaign_actions']);
    expect(first.exitCode).toBe(0);
    const [, gone] = idsOf('campaigns');
    sb.setFaults([{ kind: 'status', status: 404, path: `/v1/campaigns/${gone}/actions` }]);
    const second = await read(['campaign_actions'], first.finalState());

    expect(second.errors).toEqual([]);
    expect(second.exitCode).toBe(0);
    expect(second.statuses('campaign_actions').at(-1)).toBe('COMPLETE');
    expect(second.logs('WARN').filter((m) => m.includes(`skipped ${gone}`))).toHaveLength(1);
    expect(partitionKeys(second.lastState('campaign_actions'))).toEqual(idsOf('campaigns').filter((id) => id !== gone));
    expect(dropNotes(second)).toEqual([`campaign_actions: dropped the saved cursor of 1 campaign no longer in Customer.io (${gone})`]);
  });

  it('are all kept when the stream fails', async () => {
    const first = await read(['campaign_actions']);
    expect(first.exitCode).toBe(0);
    const given = withLongGoneParent(first.finalState());
    const givenKeys = partitionKeys(given[0].stream.stream_state);
    expect(givenKeys).toContain(LONG_GONE);
    // The last campaign's actions never answer: the stream ends INCOMPLETE after the others printed their pages.
    const last = idsOf('campaigns').sort((a, b) => Number(a) - Number(b)).at(-1)!;
    sb.setFaults([{ kind: 'status', status: 500, path: `/v1/campaigns/${last}/actions` }]);
    const second = await read(['campaign_actions'], given);

    expect(second.exitCode).toBe(1);
    expect(second.statuses('campaign_actions').at(-1)).toBe('INCOMPLETE');
    expect(second.errors).toEqual([expect.objectContaining({ failure_type: 'transient_error', stream_descriptor: { name: 'campaign_actions' } })]);
    expect(second.states('campaign_actions').length).toBeGreaterThan(0);
    expect(partitionKeys(second.lastState('campaign_actions'))).toEqual(givenKeys);
    expect(dropNotes(second)).toEqual([]);
  });
});
