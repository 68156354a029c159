/**
 * A stream's state during a read: cursors per partition (or one for the stream), never moving backwards, and
 * the delete-tracking memory (deletes.ts), kept apart from the cursors: which STATE carries it is decided in
 * one place (take).
 */
import type { JsonObject } from '../protocol/messages.js';
import { DELETE_MEMORY_KEYS } from './deletes.js';
import { laterCursor, savedCursor, type IncrementalStrategy } from './incremental.js';

export class Checkpoint {
  /** Cursors, and any other key of the state this read does not own (kept as it came). */
  private state: JsonObject;
  private readonly initial: JsonObject;
  /** The delete-tracking memory: the last complete read's until this read completes. */
  private memory: JsonObject;
  private readonly initialMemory: JsonObject;
  /** Stream-level values held back until every partition is done (see holdSharedCursor). */
  private held?: Array<{ value: unknown; field?: string }>;

  constructor(
    private readonly strategy: IncrementalStrategy | undefined,
    initial: JsonObject | undefined,
  ) {
    const memory: JsonObject = {};
    const rest: JsonObject = {};
    for (const [key, value] of Object.entries(structuredClone(initial ?? {}))) {
      if ((DELETE_MEMORY_KEYS as readonly string[]).includes(key)) memory[key] = value;
      else rest[key] = value;
    }
    this.initial = rest;
    this.state = structuredClone(rest);
    this.initialMemory = memory;
    this.memory = structuredClone(memory);
  }

  /**
   * The cursor a partition resumes from: always the one the run started with, whatever other partitions did since.
   * `field`: another time the strategy keeps beside the cursor (FULL_LOOKBACK_FIELD).
   */
  startCursor(partitionKey: string, field?: string): unknown {
    return this.strategy ? savedCursor(this.initial, this.strategy, partitionKey, field) : undefined;
  }

  /** Every cursor value the run started with: the stream's, or each partition's. */
  startCursors(): unknown[] {
    const strategy = this.strategy;
    if (!strategy) return [];
    const partitions = this.initial.partitions;
    const perPartition = strategy.perPartition && partitions && typeof partitions === 'object' ? Object.values(partitions as Record<string, JsonObject>) : [];
    return [this.initial[strategy.cursorField], ...perPartition.map((p) => p?.[strategy.cursorField])].filter((value) => value !== undefined);
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
    for (const { value, field } of held ?? []) this.advance('', value, field);
  }

  /** Moves the cursor (or `field` beside it) of `partitionKey` to `value` unless that would move it backwards. */
  advance(partitionKey: string, value: unknown, field = this.strategy?.cursorField): void {
    if (!this.strategy || value === undefined || field === undefined) return;
    if (this.held) {
      this.held.push({ value, field });
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

  /** The delete-tracking memory the read started with (`{}` on a first read). */
  startMemory(): JsonObject {
    return this.initialMemory;
  }

  /** The memory a complete pass leaves for the next read. */
  rememberDeletes(memory: JsonObject): void {
    this.memory = { ...memory };
  }

  /**
   * The state a STATE message carries now: after a page (`page`) or at the end of the read (`end`). Both carry the
   * delete-tracking memory today (a read stopped midway resumes with the last complete read's); leaving it out of
   * mid-read STATEs is a change to this method only.
   */
  take(_moment: 'page' | 'end' = 'page'): { state: JsonObject } {
    return { state: structuredClone({ ...this.state, ...this.memory }) };
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
