/**
 * A stream's state during a read: cursors per partition (or one for the stream), never moving backwards, and
 * the delete-tracking memory (deletes.ts), kept apart from the cursors: which STATE carries it is decided in
 * one place (take). `version` and `bytes()` tell the checkpoint policy (checkpoint-policy.ts) whether the state
 * moved since the last STATE and how large a STATE would be now.
 */
import { ownValue, setOwn } from './own.js';
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
  /** Counts the changes to what take() returns. */
  private changes = 0;
  /** JSON sizes of the memory and of the rest, each for the version it was measured at. */
  private sizes: { memory?: { at: number; bytes: number }; rest?: { at: number; bytes: number } } = {};
  private memoryChanges = 0;

  constructor(
    private readonly strategy: IncrementalStrategy | undefined,
    initial: JsonObject | undefined,
  ) {
    const memory: JsonObject = {};
    const rest: JsonObject = {};
    for (const [key, value] of Object.entries(structuredClone(initial ?? {}))) {
      // A state's keys are its author's: each kept as a field, `__proto__` included (own.ts).
      setOwn((DELETE_MEMORY_KEYS as readonly string[]).includes(key) ? memory : rest, key, value);
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
      // A partition's key is the API's (a parent's id, a type): read and set as a field whatever it is (own.ts).
      const existing = ownValue(partitions, partitionKey) as JsonObject | undefined;
      const current = ownValue(existing, field);
      const later = laterCursor(current, value);
      if (later === current && existing !== undefined) return;
      setOwn(partitions, partitionKey, { ...existing, [field]: later });
      this.state.partitions = partitions;
    } else {
      const later = laterCursor(this.state[field], value);
      if (later === this.state[field]) return;
      this.state[field] = later;
    }
    this.changes++;
  }

  /**
   * Sets a partition's fields as given (a position strategy's cursor and scope): the source's order is the truth, and
   * a position of another log may be lower than the saved one (a replaced store read from its start).
   */
  place(partitionKey: string, values: JsonObject): void {
    if (!this.strategy) return;
    const partitions = ((this.state.partitions as Record<string, JsonObject> | undefined) ?? {}) as Record<string, JsonObject>;
    partitions[partitionKey] = { ...partitions[partitionKey], ...values };
    this.state.partitions = partitions;
    this.changes++;
  }

  /**
   * Forgets the per-partition cursors of partitions not in `live` (see partitionsStillLive); other keys of the
   * state stay as they are. Returns the keys dropped.
   */
  keepPartitions(live: ReadonlySet<string>): string[] {
    if (!this.strategy?.perPartition) return [];
    const { state, dropped } = partitionsStillLive(this.state, live);
    this.state = state;
    if (dropped.length) this.changes++;
    return dropped;
  }

  /** The delete-tracking memory the read started with (`{}` on a first read). */
  startMemory(): JsonObject {
    return this.initialMemory;
  }

  /** The memory a complete pass leaves for the next read. */
  rememberDeletes(memory: JsonObject): void {
    this.memory = { ...memory };
    this.changes++;
    this.memoryChanges++;
  }

  /** Changes so far to the state a STATE carries: equal numbers, equal states. */
  get version(): number {
    return this.changes;
  }

  /**
   * About how many bytes the STATE's state would take now (its JSON text). The delete memory, the large part, is
   * measured once per change of it (once a read), the cursors once per change of them.
   */
  bytes(): number {
    const measure = (value: JsonObject, at: number, known?: { at: number; bytes: number }) => (known?.at === at ? known : { at, bytes: JSON.stringify(value).length });
    this.sizes.memory = measure(this.memory, this.memoryChanges, this.sizes.memory);
    this.sizes.rest = measure(this.state, this.changes, this.sizes.rest);
    return this.sizes.memory.bytes + this.sizes.rest.bytes;
  }

  /**
   * The state a STATE message carries now, in the middle of the read or at its end. Both carry the
   * delete-tracking memory: in the middle, the last complete read's, which a read stopped midway must resume with
   * (the platform keeps only the latest STATE: without it, deletions since that read would never be reported).
   * That memory is why a STATE can be large; the checkpoint policy prints such STATEs seldom (checkpoint-policy.ts).
   */
  take(): { state: JsonObject } {
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
