/**
 * Cheap output and backpressure: a page's records and its STATE leave in one write, and a platform that stops
 * reading stdout stops the fetching (bounded by what is already in hand), instead of growing a buffer.
 */
import { Writable } from 'node:stream';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { pages, readStreams, recordsOf } from './harness.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 9, now: Math.floor(Date.now() / 1000) - 60, rateLimit: false, sizes: { activities: 3_000, customers: 6_000 } });
});
afterAll(() => sb.close());
beforeEach(() => sb.resetStats());

/** A stdout whose writes complete only once released: a platform that has stopped reading. */
class StalledSink extends Writable {
  private held: Array<() => void> = [];
  private flowing = false;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    if (this.flowing) done();
    else this.held.push(done);
  }
  release(): void {
    this.flowing = true;
    for (const done of this.held.splice(0)) done();
  }
}

/** Resolves once the sandbox has seen no new request for `quietMs`. */
async function settled(quietMs = 300): Promise<number> {
  let last = -1;
  for (;;) {
    const total = sb.stats().total;
    if (total === last) return total;
    last = total;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

describe('output', () => {
  it('prints a page of records and the STATE that covers it in one write', async () => {
    const read = await readStreams(sb, ['activities']);
    expect(read.code).toBe(0);
    const fetched = sb.stats().byEndpoint['GET /v1/activities'];
    expect(recordsOf(read.messages, 'activities')).toHaveLength(sb.expected.activityIds({ includeDeleted: true }).length);
    // One write per page, plus a handful for the stream's statuses, the final STATE and the run's logs.
    expect(read.writes).toBeLessThanOrEqual(fetched + 8);
  });

  it('stops fetching while stdout is full, with at most the pages in hand, and goes on once it drains', async () => {
    const sink = new StalledSink();
    const reading = readStreams(sb, ['activities', 'customers'], { sink });
    await settled();
    const byEndpoint = sb.stats().byEndpoint;
    // Activities: the page printed into the full pipe, nothing after it. Customers: the first page is printed,
    // at most three more are in hand (fetched ahead while their attribute calls run), then nothing.
    expect(byEndpoint['GET /v1/activities']).toBe(1);
    expect(byEndpoint['POST /v1/customers']).toBeLessThanOrEqual(4);
    expect(sb.stats().total).toBeLessThan(60);
    sink.release();
    const read = await reading;
    expect(read.code).toBe(0);
    expect(sb.stats().byEndpoint['GET /v1/activities']).toBe(pages(sb.expected.activityIds({ includeDeleted: true }).length, 100));
    expect(sb.stats().byEndpoint['POST /v1/customers']).toBe(pages(6_000, 1000));
  });
});
