/** Every state shape Airbyte's Customer.io connector (1.0) writes, as a table: what it becomes here. */
import { fromAirbyteState, partitionKey, type StateTarget } from '../../src/customerio/airbyte/state.js';
import { clientSide, entityCursor, serverWindows } from '../../src/engine/incremental.js';
import { DAY, HOUR, MAY_1 } from './fixtures.js';

const T = MAY_1;
const NOW_ISH = String(T);

/** Streams as the translation sees them: this connector's strategy, what Airbyte re-read, what this one re-reads. */
const campaigns: StateTarget = { strategy: entityCursor('updated'), airbyteLookback: HOUR, ownLookback: () => 0 };
const campaignActions: StateTarget = { strategy: entityCursor('updated', { perPartition: true }), airbyteLookback: HOUR, ownLookback: () => 0 };
const transactional: StateTarget = { strategy: entityCursor('updated_at', { lookback: HOUR }), airbyteLookback: HOUR, ownLookback: () => HOUR };
const activities: StateTarget = { strategy: clientSide('timestamp', { perPartition: true, lookback: HOUR }), airbyteLookback: HOUR, ownLookback: () => HOUR };
const messages: StateTarget = {
  strategy: serverWindows('created', { perPartition: true, windowSeconds: 30 * DAY, lookback: () => 30 * DAY, defaultStart: (now) => now }),
  airbyteLookback: 30 * DAY,
  ownLookback: () => 30 * DAY,
};
const ours: StateTarget = { strategy: entityCursor('updated', { perPartition: true }), airbyteLookback: 0, ownLookback: () => 0 };
const fullRefresh: StateTarget = { strategy: undefined, airbyteLookback: 0, ownLookback: () => 0 };

const perPartition = (states: unknown[], global?: unknown, extra: Record<string, unknown> = {}) => ({
  use_global_cursor: false,
  states,
  ...(global === undefined ? {} : { state: { updated: global } }),
  lookback_window: HOUR,
  ...extra,
});
const entry = (partition: Record<string, unknown>, updated: unknown) => ({ partition: { ...partition, parent_slice: {} }, cursor: { updated } });

describe('fromAirbyteState', () => {
  it.each<[string, StateTarget, Record<string, unknown>, Record<string, unknown>]>([
    // One cursor per stream, as text ("%s"): moved back by Airbyte's hour where this connector re-reads nothing.
    ['a stream cursor as unix-seconds text (campaigns)', campaigns, { updated: NOW_ISH }, { updated: T - HOUR }],
    ['a stream cursor as a whole number, as older CDKs wrote it (campaigns, state_older_cdk.json)', campaigns, { updated: T }, { updated: T - HOUR }],
    ['a stream cursor as a whole number beside Airbyte\'s bookkeeping', campaigns, { updated: T, __ab_full_refresh_sync_complete: true }, { updated: T - HOUR }],
    ['a stream cursor as ISO-8601 text (Airbyte\'s abnormal state)', campaigns, { updated: '3021-09-08T07:04:28Z' }, { updated: Date.UTC(3021, 8, 8, 7, 4, 28) / 1000 - HOUR }],
    ['a stream cursor of a stream that re-reads the same hour here (transactional_messages)', transactional, { updated_at: NOW_ISH }, { updated_at: T }],
    ['the activities cursor (an hour re-read on both sides)', activities, { timestamp: NOW_ISH }, { timestamp: T }],
    ['the messages cursor (messages_lookback_days on both sides)', messages, { created: NOW_ISH }, { created: T }],
    ['a stream-wide cursor of a per-parent stream (Airbyte\'s older campaigns_actions state)', campaignActions, { updated: NOW_ISH }, { updated: T - HOUR }],
    ['a stream-wide integer cursor of a per-parent stream (Airbyte\'s sample state)', campaignActions, { updated: T }, { updated: T - HOUR }],
    // Per-parent (ConcurrentPerPartitionCursor).
    [
      'per-partition cursors with the global cursor and the last sync\'s length (campaigns_actions)',
      campaignActions,
      perPartition([entry({ parent_id: 7 }, NOW_ISH), entry({ parent_id: 8 }, String(T + DAY))], String(T + DAY)),
      { partitions: { '7': { updated: T - HOUR }, '8': { updated: T + DAY - HOUR } }, updated: T + DAY - HOUR - HOUR },
    ],
    [
      'per-partition cursors keyed by broadcast_id (broadcast_actions)',
      campaignActions,
      perPartition([entry({ broadcast_id: 2 }, NOW_ISH)], NOW_ISH),
      { partitions: { '2': { updated: T - HOUR } }, updated: T - 2 * HOUR },
    ],
    ['a global cursor only (use_global_cursor: true)', campaignActions, perPartition([entry({ parent_id: 7 }, String(T + DAY))], NOW_ISH, { use_global_cursor: true }), { partitions: {}, updated: T - 2 * HOUR }],
    ['per-partition cursors without a global one (an older CDK)', campaignActions, { states: [entry({ parent_id: 7 }, T)] }, { partitions: { '7': { updated: T - HOUR } } }],
    ['no lookback_window', campaignActions, { use_global_cursor: false, states: [], state: { updated: NOW_ISH } }, { partitions: {}, updated: T - HOUR }],
    ['parent_state beside them', campaignActions, perPartition([], NOW_ISH, { parent_state: { campaigns: { updated: '1' } } }), { partitions: {}, updated: T - 2 * HOUR }],
    // Ambiguity: the earlier reading wins.
    ['one parent listed twice: its earlier cursor', campaignActions, perPartition([entry({ parent_id: 7 }, String(T + 50)), entry({ parent_id: '7' }, NOW_ISH)]), { partitions: { '7': { updated: T - HOUR } } }],
    [
      'a partition that names no single parent: no parent without its own cursor starts after it',
      campaignActions,
      perPartition([entry({ parent_id: 7 }, NOW_ISH), { partition: { a: 1, b: 2 }, cursor: { updated: String(T - DAY) } }], String(T + DAY)),
      { partitions: { '7': { updated: T - HOUR } }, updated: T - DAY - HOUR },
    ],
    [
      'a partition cursor that is not a time: parents without their own cursor are read in full',
      campaignActions,
      perPartition([entry({ parent_id: 7 }, NOW_ISH), entry({ parent_id: 8 }, 'soon')], NOW_ISH),
      { partitions: { '7': { updated: T - HOUR } } },
    ],
    ['per-partition cursors for a stream read with one cursor here: the earliest', campaigns, perPartition([entry({ parent_id: 7 }, String(T - DAY))], NOW_ISH), { updated: T - DAY - HOUR }],
    // Full refresh streams, and Airbyte's bookkeeping.
    ['a full refresh stream\'s state', fullRefresh, { __ab_no_cursor_state_message: true }, {}],
    ['a resumable full refresh marker', fullRefresh, { __ab_full_refresh_sync_complete: true }, {}],
  ])('%s', (_case, target, airbyte, expected) => {
    const { state, note } = fromAirbyteState(airbyte, target);
    expect(state).toEqual(expected);
    expect(note).toEqual(expect.any(String));
  });

  it.each<[string, StateTarget, Record<string, unknown>]>([
    ['a stream cursor as a number, with ids', campaigns, { updated: T, ids: [1, 2] }],
    ['a stream cursor as a number, with the delete memory\'s cursor', campaigns, { updated: T, ids: [], ids_cursor: T }],
    ['a windowed cursor as a number, with the last full re-read', campaigns, { updated: T, full_lookback_read_at: T }],
    ['per-partition cursors and a stream-level one', ours, { updated: T - DAY, partitions: { '7': { updated: T } }, ids: [[7, 1]] }],
    ['an empty state', campaigns, {}],
    ['a cursor that is not a time (left for the state check to refuse)', campaigns, { updated: 'yesterday' }],
    ['a number beside a key neither connector writes (left for the state check to judge)', campaigns, { updated: T, x: [[1]] }],
    ['any state of a full refresh stream', fullRefresh, { whatever: 1 }],
  ])("leaves this connector's own state as it is: %s", (_case, target, state) => {
    expect(fromAirbyteState(state, target)).toEqual({ state });
  });

  it('says what it carried over, and by how much it moved a cursor back', () => {
    expect(fromAirbyteState({ updated: NOW_ISH }, campaigns).note).toBe(`carried over Airbyte's updated cursor "${NOW_ISH}" (moved back 3600 s: Airbyte re-read that much before its cursors, this connector does not)`);
    expect(fromAirbyteState({ timestamp: NOW_ISH }, activities).note).toBe(`carried over Airbyte's timestamp cursor "${NOW_ISH}"`);
    expect(fromAirbyteState(perPartition([entry({ parent_id: 7 }, NOW_ISH)], NOW_ISH), campaignActions).note).toMatch(/^carried over Airbyte's per-partition state: 1 partition cursor; other partitions start at Airbyte's stream-wide cursor less the previous sync's length \(moved back 3600 s/);
  });

  it('never moves a cursor forwards, whatever the lookbacks', () => {
    const rereadsMore: StateTarget = { ...campaigns, ownLookback: () => DAY };
    expect(fromAirbyteState({ updated: NOW_ISH }, rereadsMore).state).toEqual({ updated: T });
  });

  it('gives whole seconds, rounded down', () => {
    expect(fromAirbyteState({ updated_at: '2024-05-01T00:00:00.750Z' }, transactional).state).toEqual({ updated_at: T });
  });
});

describe('partitionKey', () => {
  it.each<[unknown, string | undefined]>([
    [{ parent_id: 7, parent_slice: {} }, '7'],
    [{ broadcast_id: '12', parent_slice: {} }, '12'],
    [{ parent_id: 7 }, '7'],
    [{ parent_id: '' }, undefined],
    [{ parent_id: null }, undefined],
    [{ a: 1, b: 2 }, undefined],
    [{ parent_slice: {} }, undefined],
    ['7', undefined],
  ])('names the parent of %j as %j', (partition, key) => {
    expect(partitionKey(partition)).toBe(key);
  });
});
