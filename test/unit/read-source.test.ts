/**
 * The read loop with a definition's own record source (StreamDefinition.source, e.g. an export file): each batch
 * printed like a page (its RECORDs then a STATE, in one write), no batch taken while stdout is full, the source
 * closed when the read stops, its errors ending the stream as a page's would, and null meaning "read the pages".
 */
import { Writable } from 'node:stream';
import nock from 'nock';
import { ConnectorError } from '../../src/errors.js';
import { ApiError } from '../../src/engine/http.js';
import { noPagination } from '../../src/engine/paginators.js';
import type { Record_, SourceContext, StreamDefinition } from '../../src/engine/types.js';
import { BASE, EVERY_PAGE, ReadRun } from './reader-harness.js';

const person = (n: number) => ({ cio_id: `c${n}`, id: String(n), email: null, identifiers: null, attributes: {}, unsubscribed: null, devices: null, timestamps: null });

/** A source of `batches` batches of `size` people, noting what was taken and whether it was closed. */
function counted(batches: number, size: number, fail?: (batch: number) => Error | undefined) {
  const seen = { taken: 0, closed: false, contexts: [] as SourceContext[] };
  const source = async (ctx: SourceContext) => {
    seen.contexts.push(ctx);
    return (async function* (): AsyncGenerator<Record_[]> {
      try {
        for (let b = 0; b < batches; b++) {
          const error = fail?.(b);
          if (error) throw error;
          seen.taken++;
          yield Array.from({ length: size }, (_, i) => person(b * size + i));
        }
      } finally {
        seen.closed = true;
      }
    })();
  };
  return { seen, source };
}

const definition = (source: StreamDefinition['source']): StreamDefinition => ({
  name: 'customers',
  primaryKey: [['cio_id']],
  request: { method: 'POST', path: '/customers' },
  records: '$.identifiers[*]',
  paginate: noPagination,
  source,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Reader: a definition with its own record source', () => {
  it('prints each batch as RECORDs followed by one STATE when one is due, and asks the API for no page', async () => {
    const { seen, source } = counted(3, 2);
    const run = new ReadRun({}, undefined, { checkpoints: EVERY_PAGE });
    await run.read([{ definition: definition(source), syncMode: 'full_refresh' }]);
    expect(run.sequence('customers')).toEqual(['STARTED', 'RUNNING', 'RECORD', 'RECORD', 'STATE 2', 'RECORD', 'RECORD', 'STATE 2', 'RECORD', 'RECORD', 'STATE 2', 'STATE 0', 'COMPLETE']);
    expect(run.records('customers').map((r) => r.cio_id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(seen).toMatchObject({ taken: 3, closed: true });
    // A batch and its STATE leave in one write.
    expect(run.lines.some((chunk) => chunk.includes('"c0"') && chunk.includes('"c1"') && chunk.includes('"type":"STATE"'))).toBe(true);
    expect(seen.contexts[0]).toMatchObject({ stream: 'customers', partition: { key: '' } });
  });

  it('reads the pages of its request when the source answers null', async () => {
    const api = nock(BASE).post('/customers').reply(200, { identifiers: [person(9)] });
    const run = new ReadRun();
    await run.read([{ definition: definition(async () => null), syncMode: 'full_refresh' }]);
    api.done();
    expect(run.records('customers').map((r) => r.cio_id)).toEqual(['c9']);
  });

  it('takes no next batch while stdout has not drained', async () => {
    let pending: Array<() => void> = [];
    const slow = new Writable({
      highWaterMark: 64,
      write(_chunk, _encoding, done) {
        pending.push(done);
      },
    });
    const { seen, source } = counted(3, 50);
    const run = new ReadRun({}, slow);
    const reading = run.read([{ definition: definition(source), syncMode: 'full_refresh' }]);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen.taken).toBe(1);
    let done = false;
    void reading.then(() => (done = true));
    while (!done) {
      const callbacks = pending;
      pending = [];
      for (const callback of callbacks) callback();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(seen.taken).toBe(3);
  });

  it('stops taking batches once the read is stopping, closes the source, and ends the stream INCOMPLETE', async () => {
    const run = new ReadRun();
    const { seen, source } = counted(5, 1, (b) => {
      if (b === 2) run.signal.aborted = true;
      return undefined;
    });
    await run.read([{ definition: definition(source), syncMode: 'full_refresh' }]);
    expect(run.records('customers')).toHaveLength(2);
    expect(seen.closed).toBe(true);
    expect(run.statuses('customers')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(seen.contexts[0].stopping()).toBe(true);
  });

  it.each([
    ['a ConnectorError as it is', new ConnectorError('Customer.io could not prepare export 7', 'transient_error', { stream: 'customers' }), 'transient_error', /could not prepare export 7/],
    ['a 403 as the stream being unavailable', new ApiError(403, 'forbidden', { method: 'POST', path: '/exports/customers' }), 'config_error', /not available to this App API key \(403/],
    ['a 401 as the key being refused', new ApiError(401, 'unauthorized', { method: 'GET', path: '/exports/7' }), 'config_error', /rejected the App API key/],
    ['any other error as a system_error', new Error('boom'), 'system_error', /boom/],
  ])('ends the stream on %s, keeping what was printed before it', async (_name, error, failureType, message) => {
    const { seen, source } = counted(3, 1, (b) => (b === 1 ? error : undefined));
    const run = new ReadRun();
    await run.read([{ definition: definition(source), syncMode: 'full_refresh' }]);
    expect(run.records('customers')).toHaveLength(1);
    expect(run.errors).toEqual([expect.objectContaining({ failure_type: failureType, message: expect.stringMatching(message) })]);
    expect(run.statuses('customers')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(seen.closed).toBe(true);
  });

  it('gives the source LOG lines under the stream\'s name', async () => {
    nock(BASE).post('/customers').reply(200, { identifiers: [] });
    const run = new ReadRun();
    await run.read([
      {
        definition: definition(async (ctx) => {
          ctx.log('INFO', 'export 7 started');
          return null;
        }),
        syncMode: 'full_refresh',
      },
    ]);
    expect(run.logs('INFO')).toContain('customers: export 7 started');
  });
});
