import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { encodeToken } from '../../src/sandbox/tokens.js';
import { call } from './helpers.js';

const EVERYONE = { filter: { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] } };

describe('sandbox at scale', () => {
  let sandbox: Sandbox;
  let startedInMs: number;
  beforeAll(async () => {
    const started = performance.now();
    sandbox = await startSandbox({
      rateLimit: false,
      sizes: { activities: 1_000_000, customers: 200_000, messages: 1_000_000, transactionalMessages: 50, deliveries: 100_000, segmentMembers: 30_000 },
    });
    startedInMs = performance.now() - started;
  });
  afterAll(() => sandbox.close());

  it('starts instantly: nothing is materialised', () => {
    expect(startedInMs).toBeLessThan(500);
  });

  it('serves page 1 of a million activities quickly, and a page deep in the list just as fast', async () => {
    let started = performance.now();
    const first = await call(sandbox, '/activities?limit=100');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(first.body.activities).toHaveLength(100);
    started = performance.now();
    const deep = await call(sandbox, `/activities?limit=100&start=${encodeToken('activities', 950_000)}`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(deep.body.activities.length).toBeGreaterThan(0);
    expect(deep.body.activities[0].timestamp).toBeLessThan(first.body.activities[99].timestamp);
  });

  it('pages 200,000 customers and 30,000-member segments without delay', async () => {
    const started = performance.now();
    const deep = await call(sandbox, `/customers?limit=1000&start=${encodeToken('customers', 150_000)}`, { body: EVERYONE });
    expect(deep.body.identifiers).toHaveLength(1000);
    expect(deep.body.identifiers[0].cio_id.endsWith((150_000).toString(16).padStart(6, '0'))).toBe(true);
    const members = await call(sandbox, '/segments/1/membership?limit=30000');
    expect(members.body.identifiers).toHaveLength(30_000);
    expect(performance.now() - started).toBeLessThan(10_000); // generous: CI machines are shared
  });

  it('finds a rare activity type among a million without a full scan', async () => {
    const started = performance.now();
    const reply = await call(sandbox, '/activities?type=sent_action&limit=100');
    expect(reply.body.activities).toHaveLength(100);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('keeps memory flat while serving pages from all over the stream', async () => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (const offset of [0, 200_000, 400_000, 600_000, 800_000]) {
      await call(sandbox, `/messages?limit=200&start=${encodeToken('messages', offset)}`);
    }
    global.gc?.();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
  });
});
