/**
 * When a STATE is due (engine/checkpoint-policy.ts): by records and time, only when something changed, never larger
 * than a share of the records it covers; and what that makes of a whole read's STATE bytes (linear in the data).
 */
import { Checkpoint } from '../../src/engine/checkpoint.js';
import {
  CHECKPOINT_RECORDS,
  CHECKPOINT_SECONDS,
  checkpointPolicyFromEnv,
  DEFAULT_CHECKPOINTS,
  SMALL_STATE_BYTES,
  STATE_SHARE,
  StateCadence,
  stateDue,
  type CheckpointPolicy,
  type SinceLastState,
} from '../../src/engine/checkpoint-policy.js';
import type { ReadRecord } from '../../src/engine/events.js';
import { entityCursor } from '../../src/engine/incremental.js';

const since = (overrides: Partial<SinceLastState>): SinceLastState => ({ records: 0, recordBytes: 0, seconds: 0, moved: false, stateBytes: 100, ...overrides });

describe('stateDue', () => {
  it.each<[string, Partial<SinceLastState>, boolean]>([
    ['nothing printed and nothing moved, however long since', { seconds: 3600 }, false],
    ['a few records, a moment later', { records: 10, recordBytes: 5000, seconds: 1 }, false],
    [`${CHECKPOINT_RECORDS} records of a small state`, { records: CHECKPOINT_RECORDS, recordBytes: 500_000 }, true],
    [`${CHECKPOINT_SECONDS} s after a single record`, { records: 1, recordBytes: 500, seconds: CHECKPOINT_SECONDS }, true],
    [`${CHECKPOINT_SECONDS} s after a cursor moved, no records`, { moved: true, seconds: CHECKPOINT_SECONDS }, true],
    ['a moved cursor, a moment later', { moved: true, seconds: 1 }, false],
    [`a state of exactly ${SMALL_STATE_BYTES} bytes after a lone record's ${CHECKPOINT_SECONDS} s`, { records: 1, recordBytes: 500, seconds: CHECKPOINT_SECONDS, stateBytes: SMALL_STATE_BYTES }, true],
    ['a 150 KB state (a delete memory) after 1,000 records of 500 KB', { records: 1000, recordBytes: 500_000, stateBytes: 150_000 }, false],
    ['a 150 KB state after 30,000 records of 15 MB', { records: 30_000, recordBytes: 15_000_000, stateBytes: 150_000 }, true],
    ['a 150 KB state after 30 s of a read printing little', { records: 40, recordBytes: 20_000, seconds: 300, stateBytes: 150_000 }, false],
    ['a 12 KB state (400 campaign cursors) after 1,000 records of 700 KB', { records: 1000, recordBytes: 700_000, stateBytes: 12_000 }, false],
    ['a 12 KB state after 2,000 records of 1.4 MB', { records: 2000, recordBytes: 1_400_000, stateBytes: 12_000 }, true],
  ])('%s: %s', (_case, overrides, due) => {
    expect(stateDue(since(overrides))).toBe(due);
  });

  it('measures the state only once records or time make a STATE due, and then only once', () => {
    let measured = 0;
    const stateBytes = () => (measured++, 100);
    expect(stateDue(since({ records: 10, stateBytes }))).toBe(false);
    expect(measured).toBe(0);
    expect(stateDue(since({ records: CHECKPOINT_RECORDS, recordBytes: 1, stateBytes }))).toBe(true);
    expect(measured).toBe(1);
  });

  it('takes the thresholds of the policy it is given', () => {
    const everyTen: CheckpointPolicy = { ...DEFAULT_CHECKPOINTS, records: 10 };
    expect(stateDue(since({ records: 10, recordBytes: 5000 }), everyTen)).toBe(true);
    expect(stateDue(since({ records: 9, recordBytes: 5000 }), everyTen)).toBe(false);
  });
});

describe('checkpointPolicyFromEnv', () => {
  it.each<[Record<string, string>, number, number, number]>([
    [{}, CHECKPOINT_RECORDS, CHECKPOINT_SECONDS, STATE_SHARE],
    [{ CIO_CHECKPOINT_RECORDS: '10', CIO_CHECKPOINT_SECONDS: '0.5', CIO_CHECKPOINT_STATE_SHARE: '1000' }, 10, 0.5, 1000],
    [{ CIO_CHECKPOINT_RECORDS: '0', CIO_CHECKPOINT_SECONDS: 'soon', CIO_CHECKPOINT_STATE_SHARE: '0' }, CHECKPOINT_RECORDS, CHECKPOINT_SECONDS, STATE_SHARE],
    [{ CIO_CHECKPOINT_RECORDS: ' ', CIO_CHECKPOINT_SECONDS: '-3', CIO_CHECKPOINT_STATE_SHARE: '' }, CHECKPOINT_RECORDS, CHECKPOINT_SECONDS, STATE_SHARE],
  ])('reads %j as every %d records or %d s, a STATE at most %d of the records\' bytes', (env, records, seconds, stateShare) => {
    expect(checkpointPolicyFromEnv(env)).toEqual({ records, seconds, stateShare, smallStateBytes: SMALL_STATE_BYTES });
  });
});

const recordsOf = (count: number, bytes: number): ReadRecord[] => Array.from({ length: count }, (_, i) => ({ data: { id: i }, json: 'x'.repeat(bytes) }));

describe('StateCadence', () => {
  it('counts records and time since the last STATE, and starts again after one', () => {
    let now = 0;
    const cadence = new StateCadence({ ...DEFAULT_CHECKPOINTS, records: 3 }, () => now, 0);
    cadence.add(recordsOf(2, 100));
    expect(cadence.due(0, () => 10)).toBe(false);
    cadence.add(recordsOf(1, 100));
    expect(cadence.due(0, () => 10)).toBe(true);
    cadence.printed(0);
    expect(cadence.pending(0)).toBe(false);
    now = CHECKPOINT_SECONDS * 1000;
    expect(cadence.due(0, () => 10)).toBe(false);
    // The checkpoint moved on (a cursor): that is worth a STATE once the time has come.
    expect(cadence.pending(1)).toBe(true);
    expect(cadence.due(1, () => 10)).toBe(true);
  });
});

describe('Checkpoint: version and size', () => {
  const strategy = entityCursor('updated', { perPartition: true });

  it('changes its version only when what a STATE carries changes', () => {
    const checkpoint = new Checkpoint(strategy, { partitions: { '1': { updated: 50 } }, ids: [1, 2] });
    const start = checkpoint.version;
    checkpoint.advance('1', 40);
    checkpoint.advance('1', 50);
    expect(checkpoint.version).toBe(start);
    checkpoint.advance('1', 60);
    checkpoint.advance('2', 10);
    expect(checkpoint.version).toBe(start + 2);
    checkpoint.keepPartitions(new Set(['1', '2']));
    expect(checkpoint.version).toBe(start + 2);
    checkpoint.keepPartitions(new Set(['1']));
    checkpoint.rememberDeletes({ ids: [1] });
    expect(checkpoint.version).toBe(start + 4);
  });

  it('knows about how large its STATE would be, delete memory included', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => 100_000 + i);
    const checkpoint = new Checkpoint(strategy, { partitions: { '1': { updated: 1_700_000_000 } }, ids });
    const exact = () => JSON.stringify(checkpoint.take().state).length;
    expect(Math.abs(checkpoint.bytes() - exact())).toBeLessThan(5);
    for (let p = 2; p < 50; p++) checkpoint.advance(String(p), 1_700_000_000 + p);
    expect(Math.abs(checkpoint.bytes() - exact())).toBeLessThan(5);
  });
});

/**
 * A first and a second read of a per-parent, delete-tracked list through the real cadence and checkpoint, as the
 * Reader drives them: `parents` partitions of `children` records each, pages of 10, one cursor per finished parent,
 * the previous read's keys in every STATE of the second read. Returns the STATE bytes and the records' bytes.
 */
function simulatedRead(parents: number, children: number, second: boolean, policy = DEFAULT_CHECKPOINTS): { stateBytes: number; recordBytes: number; states: number; finalBytes: number } {
  const recordBytes = 600;
  const ids = Array.from({ length: parents * children }, (_, i) => 1_000_000 + i);
  const checkpoint = new Checkpoint(strategy(), second ? { partitions: Object.fromEntries(Array.from({ length: parents }, (_, p) => [String(p), { updated: 1_700_000_000 }])), ids, ids_cursor: 1_700_000_000 } : undefined);
  const cadence = new StateCadence(policy, () => 0, checkpoint.version);
  let stateBytes = 0;
  let records = 0;
  let states = 0;
  let finalBytes = 0;
  const page = (printed: number, final = false) => {
    cadence.add(recordsOf(printed, recordBytes));
    records += printed * recordBytes;
    if (final || cadence.due(checkpoint.version, () => checkpoint.bytes())) {
      finalBytes = JSON.stringify(checkpoint.take().state).length;
      stateBytes += finalBytes;
      states++;
      cadence.printed(checkpoint.version);
    }
  };
  for (let p = 0; p < parents; p++) {
    // A second read prints only each parent's newest child again; a first read prints them all.
    for (let n = 0; n < children; n += 10) page(second ? (n === 0 ? 1 : 0) : Math.min(10, children - n));
    checkpoint.advance(String(p), 1_700_000_000 + p);
  }
  checkpoint.rememberDeletes({ ids, ids_cursor: 1_700_000_000 });
  page(0, true);
  return { stateBytes, recordBytes: records, states, finalBytes };
}
const strategy = () => entityCursor('updated', { perPartition: true });

/** The growth of STATE bytes over the growth of the data, from 100 × 40 to 400 × 50 and from there to 1,600 × 50. */
const growth = (second: boolean, policy?: CheckpointPolicy) => {
  const [small, large, larger] = [simulatedRead(100, 40, second, policy), simulatedRead(400, 50, second, policy), simulatedRead(1600, 50, second, policy)];
  return { sizes: [small, large, larger], first: large.stateBytes / small.stateBytes / 5, then: larger.stateBytes / large.stateBytes / 4 };
};

describe('a whole read under the default policy', () => {
  it.each<[string, boolean, number, number]>([
    // The cursors of the parents read so far grow with the read until their STATEs meet the share (1%), then no faster.
    ['a first read (every record printed)', false, 1.25, 1.12],
    ['a second read (one record a parent printed, the delete memory in every STATE)', true, 1.02, 1.02],
  ])('%s: STATE bytes grow about as fast as the data, from 100 × 40 to 400 × 50 to 1,600 × 50', (_read, second, first, then) => {
    const result = growth(second);
    expect(result.first).toBeLessThan(first);
    expect(result.then).toBeLessThan(then);
    for (const read of result.sizes) {
      // The STATEs before the last within the share of the records they cover (or small); the final one on top.
      expect(read.stateBytes - read.finalBytes).toBeLessThanOrEqual(STATE_SHARE * read.recordBytes + read.states * SMALL_STATE_BYTES);
    }
  });

  it('keeps the second read of 400 × 50 (358 MB of STATE when it printed one a page) to its final STATE', () => {
    const read = simulatedRead(400, 50, true);
    expect(read.states).toBe(1);
    expect(read.stateBytes).toBeLessThan(200_000);
  });

  it('would grow with the square of the data with a STATE after every page that printed or moved something, whatever its size', () => {
    const everyPage: CheckpointPolicy = { records: 1, seconds: 0, stateShare: Number.POSITIVE_INFINITY, smallStateBytes: Number.POSITIVE_INFINITY };
    const [small, large] = [simulatedRead(100, 40, true, everyPage), simulatedRead(400, 50, true, everyPage)];
    expect(large.stateBytes / small.stateBytes / 5).toBeGreaterThan(3);
  });
});
