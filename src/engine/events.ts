/**
 * What a read tells whoever consumes it: typed events, not protocol lines. The Reader emits them to a ReadSink;
 * the protocol side (protocol/sink.ts) turns them into Airbyte messages on stdout, `sync` (sync/sink.ts) into
 * warehouse writes. A page's records and the state that covers them are one event, so a sink can keep them
 * together (one write, one transaction); `drained()` is the sink's backpressure, awaited between pages. A page
 * carries a state only when one is due (checkpoint-policy.ts): records without one are covered by the next.
 */
import type { ConnectorError } from '../errors.js';
import type { JsonObject, LogLevel } from '../protocol/messages.js';

/** A record as it leaves the read: the object, and its JSON text (serialised once, by the reader). */
export interface ReadRecord {
  data: JsonObject;
  json: string;
}

export type ReadEvent =
  /** A stream's read begins (before any of its requests). */
  | { type: 'started'; stream: string; at: number }
  /** Its first page (or its end) is in. */
  | { type: 'running'; stream: string; at: number }
  /**
   * Records, and when a STATE is due the state that covers them and every record before them: deliver together.
   * A stream's last page always has one.
   */
  | { type: 'page'; stream: string; records: ReadRecord[]; state?: JsonObject; at: number }
  | { type: 'log'; level: LogLevel; message: string }
  /** A failure: a stream's (with `stream`), or the whole run's. */
  | { type: 'error'; stream?: string; error: ConnectorError; at: number }
  /** The stream's read is over: complete, or not (its last page event is where the next read resumes). */
  | { type: 'ended'; stream: string; complete: boolean; at: number };

export interface ReadSink {
  emit(event: ReadEvent): void;
  /** Resolves once the sink has room for more (at once when it has); rejects when it can take no more. */
  drained(): Promise<void>;
  /**
   * Whether the sink needs a state with the next page of `stream` (bringing `incoming` records) to get rid of records
   * it holds until one comes (sync's loader writes records only with a state). Absent: never.
   */
  stateWanted?(stream: string, incoming: number): boolean;
  /** Drops every later event: the run is stopping and has said its last word. */
  close(): void;
  /** Resolves when everything taken so far is written. */
  flush(): Promise<void>;
}

/** A sink's `log` as a function, for the pieces that only log (the HTTP client, the conformer). */
export const logTo =
  (sink: ReadSink) =>
  (level: LogLevel, message: string): void =>
    sink.emit({ type: 'log', level, message });
