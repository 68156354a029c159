/**
 * Runs stream definitions through the real read loop in-process, against nock, and hands back the printed
 * messages (validated against the Airbyte protocol) plus a validator for each stream's own JSON schema.
 * The limiter is opened wide and retries are off: these tests are about requests and records, not pacing.
 */
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config.js';
import { HttpClient } from '../../src/engine/http.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { Reader } from '../../src/engine/read.js';
import { schemaOf } from '../../src/engine/discover.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { Output } from '../../src/protocol/output.js';
import { ProtocolSink } from '../../src/protocol/sink.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { newSchemaAjv } from '../helpers/schema.js';

export const API = 'https://api.customer.io';
export const API_KEY = 'nock-test-key-0001';

type Message = Record<string, any>;

export interface Selection {
  definition: StreamDefinition;
  syncMode?: 'full_refresh' | 'incremental';
  state?: Record<string, unknown>;
}

export class ReadResult {
  constructor(readonly messages: Message[]) {}
  records(stream: string): Array<Record<string, any>> {
    return this.messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);
  }
  lastState(stream: string): Record<string, any> | undefined {
    const states = this.messages.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream);
    return states.at(-1)?.state.stream.stream_state;
  }
  statuses(stream: string): string[] {
    return this.messages
      .filter((m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream)
      .map((m) => m.trace.stream_status.status);
  }
  get errors(): Array<Record<string, any>> {
    return this.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);
  }
  logs(level: string): string[] {
    return this.messages.filter((m) => m.type === 'LOG' && m.log.level === level).map((m) => m.log.message);
  }
}

/** Reads the selected streams together, as one `read` would, and returns everything printed. */
export async function readStreams(selected: Selection[], options: { config?: Record<string, unknown>; now?: number } = {}): Promise<ReadResult> {
  const config = parseConfig({ app_api_key: API_KEY, ...options.config });
  let stdout = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      stdout += String(chunk);
      done();
    },
  });
  const output = new Output(sink);
  output.setSecrets([API_KEY]);
  const http = new HttpClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, limiter: new RateLimiter({ requestsPerSecond: 1000 }), maxTries: 1 });
  const now = options.now ?? Date.UTC(2024, 5, 1);
  const reader = new Reader({ config, http, sink: new ProtocolSink(output), clock: () => now, signal: { aborted: false } });
  await reader.readAll(selected.map((s) => ({ definition: s.definition, syncMode: s.syncMode ?? 'full_refresh', state: s.state })));
  await http.limiter.stop();
  expect(stdout).not.toContain(API_KEY);
  return new ReadResult(parseProtocolLines(stdout));
}

const ajv = newSchemaAjv();

/** Fails naming the record and the problem when a record breaks its stream's schema. */
export function expectRecordsMatchSchema(definition: StreamDefinition, records: Array<Record<string, unknown>>): void {
  const validate = ajv.compile(schemaOf(definition));
  for (const record of records) {
    if (!validate(record)) throw new Error(`${definition.name} record breaks its schema (${ajv.errorsText(validate.errors)}): ${JSON.stringify(record)}`);
  }
}
