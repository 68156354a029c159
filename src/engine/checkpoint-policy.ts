/**
 * When a read prints a STATE (issue 16): not after every page, but by records and time, and never so often that
 * the STATEs outweigh the records they cover.
 *
 * Every STATE is parsed and stored by the platform (`sync` writes each into `_state`), and a stream's state can be
 * large: the delete memory of a list (`ids`: every key of the last complete read, which a read stopped midway must
 * keep, see deletes.ts) and one cursor per parent (400 campaigns, 400 cursors) grow with the data. A STATE after
 * every 10-action page of 400 campaigns × 50 actions printed 2,401 STATEs of ~150 KB each: 358 MB, quadratic in
 * the data. Under this policy:
 *   - a STATE is due once CHECKPOINT_RECORDS records or CHECKPOINT_SECONDS seconds have passed since the last one
 *     (whichever first), and only when something changed (records printed, or a cursor moved);
 *   - but a due STATE larger than SMALL_STATE_BYTES waits until the records printed since the last STATE weigh at
 *     least 1 ÷ STATE_SHARE times its size. So STATE bytes in the middle of a read stay within STATE_SHARE of the
 *     record bytes (plus SMALL_STATE_BYTES a STATE), whatever the size of the state: linear in the data;
 *   - a STATE always ends a stream (complete or not: see Reader), and comes whenever the sink needs one to write
 *     what it holds (sync's loader, ReadSink.stateWanted), whatever this policy says.
 * Records printed without a STATE after them are covered by the next one: a read killed in between resumes from the
 * last STATE and reads them again (a duplicate, never a loss).
 */
import type { ReadRecord } from './events.js';

export interface CheckpointPolicy {
  /** A STATE is due once this many records were printed since the last one… */
  records: number;
  /** …or this many seconds passed, whichever comes first. */
  seconds: number;
  /** A STATE larger than smallStateBytes may take at most this share of the record bytes printed since the last one. */
  stateShare: number;
  /** A STATE this small (a few cursors) is never held back for its size. */
  smallStateBytes: number;
}

/**
 * 1,000 records: a STATE of a few hundred bytes per ~500 KB of records is lost in the noise, while a read killed
 * between two of them prints again at most 1,000 records; and it stays well below what `sync`'s loader holds before
 * it writes (maxWaiting 20,000 records, shared by every stream read at once). Pages of 1,000 (messages, deliveries)
 * keep a STATE a page; pages of 10 to 100 (actions, activities) get one every 10 to 100 pages instead of every page.
 */
export const CHECKPOINT_RECORDS = 1000;
/**
 * 30 seconds: at 10 requests a second a kill re-reads at most ~300 requests' worth of pages, and a platform sees a
 * stream that prints little (a second read printing only what changed) move at least that often. Airbyte's own
 * database sources checkpoint far less often (every 10,000 records or 15 minutes); an API read at 10 requests a
 * second is slower to redo.
 */
export const CHECKPOINT_SECONDS = 30;
/**
 * 1%: the STATEs in the middle of a read add at most a hundredth to the bytes a platform parses, however large the
 * state. A STATE of a few KB (the cursors of a few hundred campaigns) still comes every ~1,000 records; a 150 KB
 * delete memory waits for 15 MB of records, so a read that prints little (a second read, printing what changed)
 * prints it only at its end. That costs nothing on a kill: those lists are read whole on every read anyway (no time
 * filter), and the records printed since the last STATE are printed again (duplicates, never a loss).
 */
export const STATE_SHARE = 0.01;
/** 1 KiB: a stream state of a few cursors (every stream but the delete-tracked and per-parent ones) is never held back. */
export const SMALL_STATE_BYTES = 1024;

export const DEFAULT_CHECKPOINTS: CheckpointPolicy = {
  records: CHECKPOINT_RECORDS,
  seconds: CHECKPOINT_SECONDS,
  stateShare: STATE_SHARE,
  smallStateBytes: SMALL_STATE_BYTES,
};

/** What happened since a stream's last STATE. */
export interface SinceLastState {
  /** Records printed since. */
  records: number;
  /** Their bytes (JSON text). */
  recordBytes: number;
  seconds: number;
  /** Whether the state changed since (a cursor moved, a cursor dropped). */
  moved: boolean;
  /** The size of the STATE that would be printed now (its JSON text); a function when it costs something to know. */
  stateBytes: number | (() => number);
}

/** Whether a STATE is due in the middle of a stream's read (the end of a stream always prints one). */
export function stateDue(since: SinceLastState, policy: CheckpointPolicy = DEFAULT_CHECKPOINTS): boolean {
  if (since.records === 0 && !since.moved) return false;
  if (since.records < policy.records && since.seconds < policy.seconds) return false;
  const bytes = typeof since.stateBytes === 'function' ? since.stateBytes() : since.stateBytes;
  return bytes <= Math.max(policy.smallStateBytes, policy.stateShare * since.recordBytes);
}

/**
 * CIO_CHECKPOINT_RECORDS, CIO_CHECKPOINT_SECONDS and CIO_CHECKPOINT_STATE_SHARE (positive numbers) in place of the
 * defaults: for a platform that wants STATEs more or less often, and for tests that need STATEs in the middle of a
 * small read (a share of 1000 lets any state through).
 */
export function checkpointPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointPolicy {
  const positive = (value: string | undefined) => (value !== undefined && value.trim() !== '' && Number(value) > 0 ? Number(value) : undefined);
  return {
    records: positive(env.CIO_CHECKPOINT_RECORDS) ?? CHECKPOINT_RECORDS,
    seconds: positive(env.CIO_CHECKPOINT_SECONDS) ?? CHECKPOINT_SECONDS,
    stateShare: positive(env.CIO_CHECKPOINT_STATE_SHARE) ?? STATE_SHARE,
    smallStateBytes: SMALL_STATE_BYTES,
  };
}

/** One stream's tally since its last STATE, for stateDue. */
export class StateCadence {
  private records = 0;
  private recordBytes = 0;
  private lastAt: number;
  private lastVersion: number;

  /** `now` is the run's clock (unix ms); `version` the checkpoint's version the read starts with. */
  constructor(
    private readonly policy: CheckpointPolicy,
    private readonly now: () => number,
    version: number,
  ) {
    this.lastAt = now();
    this.lastVersion = version;
  }

  /** Counts records about to be printed. */
  add(records: readonly ReadRecord[]): void {
    this.records += records.length;
    for (const record of records) this.recordBytes += record.json.length;
  }

  /** Whether a STATE is due now, the checkpoint being at `version` and its STATE `stateBytes` long. */
  due(version: number, stateBytes: () => number): boolean {
    return stateDue({ records: this.records, recordBytes: this.recordBytes, seconds: (this.now() - this.lastAt) / 1000, moved: version !== this.lastVersion, stateBytes }, this.policy);
  }

  /** Whether anything was printed or moved since the last STATE (a STATE then covers more than the last one did). */
  pending(version: number): boolean {
    return this.records > 0 || version !== this.lastVersion;
  }

  /** A STATE was printed, at `version`. */
  printed(version: number): void {
    this.records = 0;
    this.recordBytes = 0;
    this.lastAt = this.now();
    this.lastVersion = version;
  }
}
