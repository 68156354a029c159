/**
 * Airbyte protocol (v0) message shapes this connector prints, and small builders for them.
 * Only the fields we use are typed; the official schema in shared/airbyte-protocol is the reference
 * and the tests validate every printed line against it.
 */
import type { FailureType } from '../errors.js';

export type JsonObject = Record<string, unknown>;
export type SyncMode = 'full_refresh' | 'incremental';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface AirbyteStream {
  name: string;
  json_schema: JsonObject;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
}

export interface ConfiguredStream {
  stream: AirbyteStream;
  sync_mode: SyncMode;
  destination_sync_mode: string;
  cursor_field?: string[];
  primary_key?: string[][];
}

export interface ConfiguredCatalog {
  streams: ConfiguredStream[];
}

export type AirbyteMessage =
  | { type: 'RECORD'; record: { stream: string; data: JsonObject; emitted_at: number } }
  | {
      type: 'STATE';
      state: {
        type: 'STREAM';
        stream: { stream_descriptor: { name: string }; stream_state: JsonObject };
        sourceStats: { recordCount: number };
      };
    }
  | { type: 'LOG'; log: { level: LogLevel; message: string } }
  | { type: 'SPEC'; spec: { connectionSpecification: JsonObject; documentationUrl?: string; supportsIncremental?: boolean } }
  | { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string } }
  | { type: 'CATALOG'; catalog: { streams: AirbyteStream[] } }
  | { type: 'TRACE'; trace: TraceBody };

export type TraceBody =
  | {
      type: 'ERROR';
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        failure_type: FailureType;
        stream_descriptor?: { name: string };
      };
    }
  | {
      type: 'STREAM_STATUS';
      emitted_at: number;
      stream_status: { stream_descriptor: { name: string }; status: StreamStatus };
    }
  | {
      type: 'ESTIMATE';
      emitted_at: number;
      estimate: { name: string; type: 'STREAM'; row_estimate?: number };
    };

export const recordMessage = (stream: string, data: JsonObject, emittedAt: number): AirbyteMessage => ({
  type: 'RECORD',
  record: { stream, data, emitted_at: emittedAt },
});

export const stateMessage = (stream: string, streamState: JsonObject, recordCount: number): AirbyteMessage => ({
  type: 'STATE',
  state: {
    type: 'STREAM',
    stream: { stream_descriptor: { name: stream }, stream_state: streamState },
    sourceStats: { recordCount },
  },
});

export const logMessage = (level: LogLevel, message: string): AirbyteMessage => ({
  type: 'LOG',
  log: { level, message },
});

export const statusMessage = (stream: string, status: StreamStatus, emittedAt: number): AirbyteMessage => ({
  type: 'TRACE',
  trace: { type: 'STREAM_STATUS', emitted_at: emittedAt, stream_status: { stream_descriptor: { name: stream }, status } },
});

export const errorMessage = (
  message: string,
  failureType: FailureType,
  emittedAt: number,
  options: { internal?: string; stream?: string } = {},
): AirbyteMessage => ({
  type: 'TRACE',
  trace: {
    type: 'ERROR',
    emitted_at: emittedAt,
    error: {
      message,
      failure_type: failureType,
      ...(options.internal ? { internal_message: options.internal } : {}),
      ...(options.stream ? { stream_descriptor: { name: options.stream } } : {}),
    },
  },
});

export const estimateMessage = (stream: string, rows: number, emittedAt: number): AirbyteMessage => ({
  type: 'TRACE',
  trace: { type: 'ESTIMATE', emitted_at: emittedAt, estimate: { name: stream, type: 'STREAM', row_estimate: rows } },
});
