/**
 * A Reader wired for tests: a fixed clock, an HTTP client against nock at BASE with no real waits, and an
 * Output whose lines are collected, parsed and validated against the Airbyte protocol.
 */
import { Writable } from 'node:stream';
import { HttpClient } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { Reader, type SelectedStream, type StreamOutcome } from '../../src/engine/read.js';
import type { CheckpointPolicy } from '../../src/engine/checkpoint-policy.js';
import { Output } from '../../src/protocol/output.js';
import { ProtocolSink } from '../../src/protocol/sink.js';
import type { ConnectorError } from '../../src/errors.js';
import type { Config } from '../../src/config.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { API_KEY, DAY, MAY_1, testConfig } from './fixtures.js';

export const BASE = 'http://cio.test/v1';
/** The run's clock: 2024-05-11T00:00:00Z. */
export const NOW_S = MAY_1 + 10 * DAY;
export const NOW_MS = NOW_S * 1000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

/** A STATE after every page that printed a record or moved a cursor, whatever its size: to watch mid-read states. */
export const EVERY_PAGE: CheckpointPolicy = { records: 1, seconds: 0, stateShare: Number.POSITIVE_INFINITY, smallStateBytes: Number.POSITIVE_INFINITY };

export class ReadRun {
  readonly lines: string[] = [];
  readonly signal: { aborted: boolean; reason?: ConnectorError } = { aborted: false };
  readonly reader: Reader;
  readonly http: HttpClient;
  readonly config: Config;

  /**
   * `sink` replaces the collecting one (e.g. a slow stdout); the lines are then the sink's business. `checkpoints`:
   * when STATEs are due mid-stream (the defaults: every 1,000 records or 30 s of the fixed clock, i.e. at the end).
   */
  constructor(configOverrides: Record<string, unknown> = {}, sink?: Writable, options: { checkpoints?: CheckpointPolicy } = {}) {
    sink ??= new Writable({
      write: (chunk, _encoding, done) => {
        this.lines.push(String(chunk));
        done();
      },
    });
    this.config = testConfig({ api_base_url: BASE, ...configOverrides });
    this.http = new HttpClient({
      baseUrl: BASE,
      apiKey: API_KEY,
      limiter: new RateLimiter({ requestsPerSecond: 1000 }),
      maxTries: 2,
      sleep: async () => undefined,
      random: () => 0,
    });
    const output = new Output(sink);
    output.setSecrets([API_KEY]);
    this.reader = new Reader({ config: this.config, http: this.http, sink: new ProtocolSink(output), clock: () => NOW_MS, signal: this.signal, checkpoints: options.checkpoints });
  }

  async read(streams: SelectedStream[]): Promise<StreamOutcome[]> {
    try {
      return await this.reader.readAll(streams);
    } finally {
      await this.http.limiter.stop();
    }
  }

  /** Every printed message, each checked against the protocol schema. */
  get messages(): Message[] {
    return parseProtocolLines(this.lines.join(''));
  }
  /** Messages of one stream (records, states, statuses, errors naming it). */
  of(stream: string): Message[] {
    return this.messages.filter(
      (m) =>
        m.record?.stream === stream ||
        m.state?.stream?.stream_descriptor?.name === stream ||
        m.trace?.stream_status?.stream_descriptor?.name === stream ||
        m.trace?.error?.stream_descriptor?.name === stream,
    );
  }
  /** A compact sequence of one stream's messages: `STARTED`, `RECORD`, `STATE 2`, `ERROR config_error`… */
  sequence(stream: string): string[] {
    return this.of(stream).map((m) => {
      if (m.type === 'RECORD') return 'RECORD';
      if (m.type === 'STATE') return `STATE ${m.state.sourceStats.recordCount}`;
      if (m.trace?.type === 'STREAM_STATUS') return m.trace.stream_status.status;
      return `ERROR ${m.trace.error.failure_type}`;
    });
  }
  records(stream: string): Message[] {
    return this.messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);
  }
  states(stream: string): Message[] {
    return this.messages.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream).map((m) => m.state.stream.stream_state);
  }
  statuses(stream: string): string[] {
    return this.of(stream)
      .filter((m) => m.trace?.type === 'STREAM_STATUS')
      .map((m) => m.trace.stream_status.status);
  }
  get errors(): Message[] {
    return this.messages.filter((m) => m.trace?.type === 'ERROR').map((m) => m.trace.error);
  }
  logs(level?: string): string[] {
    return this.messages.filter((m) => m.type === 'LOG' && (!level || m.log.level === level)).map((m) => m.log.message);
  }
}
