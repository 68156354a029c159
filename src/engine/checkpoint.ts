/**
 * A stream's state during a read: cursors per partition (or one for the stream), never moving backwards,
 * plus the record count since the last STATE (the protocol's `sourceStats.recordCount`).
 */
import type { JsonObject } from '../protocol/messages.js';
import { laterCursor, savedCursor, type IncrementalStrategy } from './incremental.js';

export class Checkpoint {
  private state: JsonObject;
  private readonly initial: JsonObject;
  private sinceLast = 0;
  /** Stream-level cursor values held back until every partition is done (see holdSharedCursor). */
  private held?: unknown[];

  constructor(
    private readonly strategy: IncrementalStrategy | undefined,
    initial: JsonObject | undefined,
  ) {
    this.initial = structuredClone(initial ?? {});
    this.state = structuredClone(this.initial);
  }

  /** The cursor a partition resumes from: always the one the run started with, whatever other partitions did since. */
  startCursor(partitionKey: string): unknown {
    return this.strategy ? savedCursor(this.initial, this.strategy, partitionKey) : undefined;
  }

  /**
   * For a stream whose partitions share one cursor: a partition that finishes early must not move the cursor
   * past records other partitions have not printed yet, so advances wait for promoteHeld() at the very end.
   */
  holdSharedCursor(): void {
    if (this.strategy && !this.strategy.perPartition) this.held = [];
  }

  /** Every partition is done: the held stream-level cursor values take effect. */
  promoteHeld(): void {
    const held = this.held;
    this.held = undefined;
    for (const value of held ?? []) this.advance('', value);
  }

  /** Moves the cursor of `partitionKey` to `value` unless that would move it backwards. */
  advance(partitionKey: string, value: unknown): void {
    if (!this.strategy || value === undefined) return;
    const field = this.strategy.cursorField;
    if (this.held) {
      this.held.push(value);
      return;
    }
    if (this.strategy.perPartition) {
      const partitions = ((this.state.partitions as Record<string, JsonObject> | undefined) ?? {}) as Record<string, JsonObject>;
      const current = partitions[partitionKey]?.[field];
      partitions[partitionKey] = { ...partitions[partitionKey], [field]: laterCursor(current, value) };
      this.state.partitions = partitions;
    } else {
      this.state[field] = laterCursor(this.state[field], value);
    }
  }

  /**
   * Forgets the per-partition cursors of partitions not in `live` (see partitionsStillLive); other keys of the
   * state stay as they are. Returns the keys dropped.
   */
  keepPartitions(live: ReadonlySet<string>): string[] {
    if (!this.strategy?.perPartition) return [];
    const { state, dropped } = partitionsStillLive(this.state, live);
    this.state = state;
    return dropped;
  }

  set(key: string, value: unknown): void {
    this.state[key] = value;
  }

  get(key: string): unknown {
    return this.state[key];
  }

  counted(n: number): void {
    this.sinceLast += n;
  }

  /** The state to print now, and the count of records it covers since the previous one (then reset). */
  take(): { state: JsonObject; recordCount: number } {
    const recordCount = this.sinceLast;
    this.sinceLast = 0;
    return { state: structuredClone(this.state), recordCount };
  }
}

/**
 * A per-partition state without the cursors of partitions that no longer exist: `live` holds the keys of every
 * partition a complete read found (its parent list read in full, less parents that answered 404). Without
 * this, each parent deleted in Customer.io would leave its cursor in state for good. Keys other than
 * `partitions` are kept as they are; a state without a `partitions` object is returned unchanged.
 */
export function partitionsStillLive(state: JsonObject, live: ReadonlySet<string>): { state: JsonObject; dropped: string[] } {
  const partitions = state.partitions;
  if (partitions === null || typeof partitions !== 'object' || Array.isArray(partitions)) return { state, dropped: [] };
  const dropped = Object.keys(partitions).filter((key) => !live.has(key));
  if (dropped.length === 0) return { state, dropped };
  const kept = Object.fromEntries(Object.entries(partitions).filter(([key]) => live.has(key)));
  return { state: { ...state, partitions: kept }, dropped };
}
