/** Output: one JSON message per line, the key redacted wherever it appears, writes that honour backpressure. */
import { PassThrough, Writable } from 'node:stream';
import { Output, redactorFor } from '../../src/protocol/output.js';
import { errorMessage, logMessage, recordMessage, stateMessage, statusMessage } from '../../src/protocol/messages.js';
import { expectValidMessages } from '../helpers/protocol.js';
import { API_KEY, MAY_1 } from './fixtures.js';

function capture() {
  const sink = new PassThrough();
  let text = '';
  sink.setEncoding('utf8');
  sink.on('data', (chunk: string) => (text += chunk));
  return { sink, text: () => text, lines: () => text.split('\n').filter(Boolean) };
}

/** A sink that accepts writes but reports "full" until drained by hand (write() returns false). */
class SlowSink extends Writable {
  readonly chunks: string[] = [];
  private pending: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 16, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(String(chunk));
    this.pending.push(callback);
  }
  /** Lets every buffered write complete, which makes the stream emit 'drain'. */
  release(): void {
    const pending = this.pending;
    this.pending = [];
    for (const done of pending) done();
  }
}

describe('Output', () => {
  it('writes each message as one JSON object on its own line, each valid for the protocol', () => {
    const { sink, lines } = capture();
    const output = new Output(sink);
    const emittedAt = MAY_1 * 1000;
    output.emit(statusMessage('campaigns', 'STARTED', emittedAt));
    output.emit(recordMessage('campaigns', { id: 1, name: 'Welcome\nseries', updated: MAY_1 }, emittedAt));
    output.emit(stateMessage('campaigns', { updated: MAY_1 }, 1));
    output.log('INFO', 'two\nlines');
    const parsed = lines().map((line) => JSON.parse(line));
    expect(parsed.map((m) => m.type)).toEqual(['TRACE', 'RECORD', 'STATE', 'LOG']);
    expect(parsed[1].record.data.name).toBe('Welcome\nseries');
    expect(parsed[3]).toEqual(logMessage('INFO', 'two\nlines'));
    expectValidMessages(parsed);
  });

  it('redacts the key anywhere in a line: records, logs, error messages and their internal detail', () => {
    const { sink, text, lines } = capture();
    const output = new Output(sink);
    output.setSecrets([API_KEY]);
    output.emit(recordMessage('webhooks', { id: 1, endpoint: `https://hooks.example.com/?token=${API_KEY}` }, MAY_1 * 1000));
    output.log('WARN', `Authorization: Bearer ${API_KEY} ${API_KEY}`);
    output.emit(errorMessage(`key ${API_KEY} refused`, 'config_error', MAY_1 * 1000, { internal: `stack with ${API_KEY}` }));
    expect(text()).not.toContain(API_KEY);
    expect(lines()).toHaveLength(3);
    expect(JSON.parse(lines()[1]).log.message).toBe('Authorization: Bearer **** ****');
    expect(JSON.parse(lines()[2]).trace.error.internal_message).toBe('stack with ****');
  });

  it('prints lines written before setSecrets as they were (secrets are known only once the config is read)', () => {
    const { sink, lines } = capture();
    const output = new Output(sink);
    output.log('INFO', `early ${API_KEY}`);
    output.setSecrets([API_KEY]);
    output.log('INFO', `late ${API_KEY}`);
    expect(lines().map((l) => JSON.parse(l).log.message)).toEqual([`early ${API_KEY}`, 'late ****']);
  });

  it('prints a RECORD given as JSON text exactly as the same record given as an object, redacted the same', () => {
    const data = { id: 1, name: `say "hi" ${API_KEY}`, nested: { list: [1, null, 'x'] } };
    const asObject = capture();
    const asText = capture();
    for (const [{ sink }, print] of [
      [asObject, (o: Output) => o.emit(recordMessage('campaigns', data, MAY_1 * 1000))],
      [asText, (o: Output) => o.emitRecord('campaigns', JSON.stringify(data), MAY_1 * 1000)],
    ] as const) {
      const output = new Output(sink);
      output.setSecrets([API_KEY]);
      print(output);
    }
    expect(asText.text()).toBe(asObject.text());
    expect(asText.text()).not.toContain(API_KEY);
  });

  it('drops every message after close()', () => {
    const { sink, lines } = capture();
    const output = new Output(sink);
    output.log('INFO', 'last word');
    output.close();
    output.log('INFO', 'too late');
    expect(lines()).toHaveLength(1);
  });

  it('resolves drained() at once while the sink has room', async () => {
    const { sink } = capture();
    const output = new Output(sink);
    output.log('INFO', 'small');
    await expect(output.drained()).resolves.toBeUndefined();
  });

  it('makes drained() wait for the sink\'s drain event once a write returns false', async () => {
    const sink = new SlowSink();
    const output = new Output(sink);
    output.log('INFO', 'a message longer than sixteen bytes');
    expect(sink.writableNeedDrain).toBe(true);
    let drained = false;
    const waiting = output.drained().then(() => (drained = true));
    output.log('INFO', 'queued behind the first');
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    sink.release();
    await new Promise((resolve) => setImmediate(resolve));
    sink.release();
    await waiting;
    expect(drained).toBe(true);
    expect(sink.chunks.map((c) => JSON.parse(c).log.message)).toEqual(['a message longer than sixteen bytes', 'queued behind the first']);
    await expect(output.drained()).resolves.toBeUndefined();
  });

  it('flush() resolves once everything written has left the buffer', async () => {
    const sink = new SlowSink();
    const output = new Output(sink);
    output.log('INFO', 'a message longer than sixteen bytes');
    let flushed = false;
    const flushing = output.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    sink.release();
    await new Promise((resolve) => setImmediate(resolve));
    sink.release();
    await flushing;
    expect(flushed).toBe(true);
  });
});

describe('redactorFor', () => {
  it.each<[string, Array<string | undefined>, string, string]>([
    ['every occurrence', ['abcd1234'], 'x abcd1234 y abcd1234', 'x **** y ****'],
    ['each of several secrets', ['abcd1234', 'zzzz9999'], 'abcd1234/zzzz9999', '****/****'],
    ['nothing when no secret is given', [], 'abcd1234', 'abcd1234'],
    ['nothing for undefined secrets', [undefined], 'abcd1234', 'abcd1234'],
    ['nothing for secrets under 4 characters (they would blank ordinary text)', ['abc'], 'abcdef', 'abcdef'],
    ['a leading part of 8 characters or more (a message cut short)', ['sk_live_ABCDEFGHIJKL'], 'Bearer sk_live_AB…', 'Bearer ****…'],
    ['a leading part of exactly 8 characters', ['sk_live_ABCDEFGHIJKL'], 'Bearer sk_live_ and more', 'Bearer **** and more'],
    ['not 7 characters of it (too short to say it is the key)', ['sk_live_ABCDEFGHIJKL'], 'sk_live is a prefix', 'sk_live is a prefix'],
    ['a leading part followed by other text', ['sk_live_ABCDEFGHIJKL'], 'sk_live_ABCDxyz', '****xyz'],
    ['a short secret only whole', ['abcd12'], 'abcd1 abcd12', 'abcd1 ****'],
    ['a leading part of its JSON-escaped form', ['sk-"quoted"\\back-0123'], 'key: sk-\\"quoted\\"\\\\ba…', 'key: ****…'],
    ['its URL-encoded form (a query string)', ['sk key/with+odd=chars'], 'GET /x?token=sk%20key%2Fwith%2Bodd%3Dchars&y=1', 'GET /x?token=****&y=1'],
    ['a leading part of its URL-encoded form', ['sk key/with+odd=chars'], '?token=sk%20key%2Fwi', '?token=****'],
    ['its form-encoded form', ['sk key/with+odd=chars'], 'token=sk+key%2Fwith%2Bodd%3Dchars', 'token=****'],
  ])('replaces %s', (_case, secrets, text, expected) => {
    expect(redactorFor(secrets)(text)).toBe(expected);
  });
});
