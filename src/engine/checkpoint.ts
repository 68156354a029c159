/**
 * A stream's state during a read: cursors per partition (or one for the stream), never moving backwards,
 * plus the record count since the last STATE (the protocol's `sourceStats.recordCount`).
 */
import type { JsonObject } from '../protocol/messages.js';
import { laterCursor, type IncrementalStrategy } from './incremental.js';

export class Checkpoint {
  private state: JsonObject;
  private sinceLast = 0;

  constructor(
    private readonly strategy: IncrementalStrategy | undefined,
    initial: JsonObject | undefined,
  ) {
    this.state = structuredClone(initial ?? {});
  }

  /** Moves the cursor of `partitionKey` to `value` unless that would move it backwards. */
  advance(partitionKey: string, value: unknown): void {
    if (!this.strategy || value === undefined) return;
    const field = this.strategy.cursorField;
    if (this.strategy.perPartition) {
      const partitions = ((this.state.partitions as Record<string, JsonObject> | undefined) ?? {}) as Record<string, JsonObject>;
      const current = partitions[partitionKey]?.[field];
      partitions[partitionKey] = { ...partitions[partitionKey], [field]: laterCursor(current, value) };
      this.state.partitions = partitions;
    } else {
      this.state[field] = laterCursor(this.state[field], value);
    }
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
