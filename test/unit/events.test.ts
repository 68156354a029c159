/**
 * The Reader speaks typed events to a sink (engine/events.ts), and the protocol side turns them into Airbyte
 * messages (protocol/sink.ts): a page's records and the STATE that covers them in one write.
 */
import { PassThrough } from 'node:stream';
import nock from 'nock';
import { ConnectorError } from '../../src/errors.js';
import type { ReadEvent, ReadSink } from '../../src/engine/events.js';
import { HttpClient } from '../../src/engine/http.js';
import { clientSide } from '../../src/engine/incremental.js';
import { RateLimiter } from '../../src/engine/limiter.js';
import { noPagination } from '../../src/engine/paginators.js';
import { Reader } from '../../src/engine/read.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { Output } from '../../src/protocol/output.js';
import { ProtocolSink } from '../../src/protocol/sink.js';
import { expectValidMessages } from '../helpers/protocol.js';
import { API_KEY, DAY, MAY_1, testConfig } from './fixtures.js';

const BASE = 'http://events.test/v1';
const NOW_MS = (MAY_1 + 10 * DAY) * 1000;

class Collected implements ReadSink {
  readonly events: ReadEvent[] = [];
  emit(event: ReadEvent): void {
    this.events.push(event);
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {}
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

const campaigns = {
  name: 'campaigns',
  primaryKey: [['id']],
  jsonSchema: { type: 'object' },
  request: { path: '/campaigns' },
  records: '$.campaigns[*]',
  paginate: noPagination,
  incremental: clientSide('updated'),
} satisfies StreamDefinition;

async function readInto(sink: ReadSink, definition: StreamDefinition, state?: Record<string, unknown>) {
  const http = new HttpClient({ baseUrl: BASE, apiKey: API_KEY, limiter: new RateLimiter({ requestsPerSecond: 1000 }), maxTries: 1 });
  const reader = new Reader({ config: testConfig({ api_base_url: BASE }), http, sink, clock: () => NOW_MS });
  try {
    return await reader.readAll([{ definition, syncMode: 'incremental', state }]);
  } finally {
    await http.limiter.stop();
  }
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Reader events', () => {
  it('tells a stream\'s read as started, running, a page with its records (no STATE due yet), the last page with the state covering them, ended', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [{ id: 1, updated: MAY_1 }, { id: 2, updated: MAY_1 - DAY }] });
    const sink = new Collected();
    await readInto(sink, campaigns, { updated: MAY_1 - 2 * DAY });
    expect(sink.events.map((e) => e.type)).toEqual(['started', 'running', 'page', 'page', 'ended']);
    const [, , first, last, ended] = sink.events;
    expect(first).toEqual({
      type: 'page',
      stream: 'campaigns',
      records: [
        { data: { id: 1, updated: MAY_1 }, json: '{"id":1,"updated":1714521600}' },
        { data: { id: 2, updated: MAY_1 - DAY }, json: `{"id":2,"updated":${MAY_1 - DAY}}` },
      ],
      at: NOW_MS,
    });
    expect(last).toEqual({ type: 'page', stream: 'campaigns', records: [], state: { updated: MAY_1 }, at: NOW_MS });
    expect(ended).toEqual({ type: 'ended', stream: 'campaigns', complete: true, at: NOW_MS });
  });

  it('tells a stream\'s failure as an error event naming it, then ended incomplete', async () => {
    nock(BASE).get('/campaigns').reply(400, { errors: [{ detail: 'bad request' }] });
    const sink = new Collected();
    await readInto(sink, campaigns);
    const types = sink.events.map((e) => e.type);
    expect(types).toEqual(['started', 'error', 'ended']);
    const error = sink.events[1] as Extract<ReadEvent, { type: 'error' }>;
    expect(error.stream).toBe('campaigns');
    expect(error.error).toBeInstanceOf(ConnectorError);
    expect(error.error.failureType).toBe('system_error');
    expect(sink.events[2]).toMatchObject({ type: 'ended', complete: false });
  });
});

describe('ProtocolSink', () => {
  it('prints a page as its RECORDs and the STATE that covers them, counted, in one write', () => {
    const stdout = new PassThrough();
    const writes: string[] = [];
    stdout.on('data', (chunk: Buffer) => writes.push(String(chunk)));
    const sink = new ProtocolSink(new Output(stdout));
    const data = { id: 7, name: 'Welcome' };
    sink.emit({ type: 'page', stream: 'campaigns', records: [{ data, json: JSON.stringify(data) }, { data: { id: 8 }, json: '{"id":8}' }], state: { updated: MAY_1 }, at: NOW_MS });
    expect(writes).toHaveLength(1);
    const lines = writes[0].trimEnd().split('\n').map((line) => JSON.parse(line));
    expectValidMessages(lines);
    expect(lines).toEqual([
      { type: 'RECORD', record: { stream: 'campaigns', data, emitted_at: NOW_MS } },
      { type: 'RECORD', record: { stream: 'campaigns', data: { id: 8 }, emitted_at: NOW_MS } },
      { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: MAY_1 } }, sourceStats: { recordCount: 2 } } },
    ]);
  });

  it('prints a page without a state as its RECORDs alone, and counts them in the stream\'s next STATE', () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => (text += String(chunk)));
    const sink = new ProtocolSink(new Output(stdout));
    const page = (stream: string, ids: number[], state?: Record<string, unknown>) =>
      sink.emit({ type: 'page', stream, records: ids.map((id) => ({ data: { id }, json: JSON.stringify({ id }) })), ...(state ? { state } : {}), at: NOW_MS });
    page('campaigns', [1, 2]);
    page('segments', [9], {});
    page('campaigns', [3], { updated: MAY_1 });
    page('campaigns', [], { updated: MAY_1 + 1 });
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line));
    expectValidMessages(lines);
    expect(lines.map((m) => (m.type === 'RECORD' ? `${m.record.stream} ${m.record.data.id}` : `STATE ${m.state.stream.stream_descriptor.name} ${m.state.sourceStats.recordCount}`))).toEqual([
      'campaigns 1',
      'campaigns 2',
      'segments 9',
      'STATE segments 1',
      'campaigns 3',
      'STATE campaigns 3',
      'STATE campaigns 0',
    ]);
  });

  it('prints statuses, logs and errors as the protocol\'s traces and logs', () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => (text += String(chunk)));
    const sink = new ProtocolSink(new Output(stdout));
    sink.emit({ type: 'started', stream: 's', at: 1 });
    sink.emit({ type: 'running', stream: 's', at: 2 });
    sink.emit({ type: 'log', level: 'WARN', message: 'careful' });
    sink.emit({ type: 'error', stream: 's', error: new ConnectorError('it broke', 'transient_error', { internal: 'why' }), at: 3 });
    sink.emit({ type: 'error', error: new ConnectorError('the run broke', 'config_error'), at: 4 });
    sink.emit({ type: 'ended', stream: 's', complete: false, at: 5 });
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line));
    expectValidMessages(lines);
    expect(lines).toEqual([
      { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: 1, stream_status: { stream_descriptor: { name: 's' }, status: 'STARTED' } } },
      { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: 2, stream_status: { stream_descriptor: { name: 's' }, status: 'RUNNING' } } },
      { type: 'LOG', log: { level: 'WARN', message: 'careful' } },
      { type: 'TRACE', trace: { type: 'ERROR', emitted_at: 3, error: { message: 'it broke', failure_type: 'transient_error', internal_message: 'why', stream_descriptor: { name: 's' } } } },
      { type: 'TRACE', trace: { type: 'ERROR', emitted_at: 4, error: { message: 'the run broke', failure_type: 'config_error' } } },
      { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: 5, stream_status: { stream_descriptor: { name: 's' }, status: 'INCOMPLETE' } } },
    ]);
  });
});
