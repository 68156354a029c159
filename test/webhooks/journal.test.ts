/**
 * The journal: events durable before they count, a group commit, a clean prefix for readers, crash recovery,
 * failures that leave nothing behind, segments and retention.
 */
import { appendFileSync, readdirSync, readFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COMMITTED_FILE, decodeLine, type NewEvent } from '../../src/webhooks/store/format.js';
import { Journal, StoreError } from '../../src/webhooks/store/journal.js';
import { PositionError } from '../../src/webhooks/store/range.js';
import { scratchDir } from '../helpers/scratch.js';
import { faultyFiles, type Faults } from './faulty-files.js';

let n = 0;
// Stored "now" by default: a segment rolls once its first event is an hour older than the clock.
const entry = (at = Date.now(), body = `{"event_id":"E${++n}"}`): NewEvent => ({ at, ts: 1613063089, id: `E${n}`, f: [], b: body });
const LIMITS = { events: 1000, bytes: 1 << 20 };

async function idsOf(journal: Journal, after = journal.first, limits = LIMITS): Promise<string[]> {
  const ids: string[] = [];
  for (let at = after; at < journal.committed; ) {
    const page = await journal.read(at, limits);
    for (const line of page.lines) ids.push(JSON.parse(line.toString()).id);
    at = page.next;
  }
  return ids;
}

it('stores events in order, each position where its line ends, and reads them back after any position', async () => {
  const journal = await Journal.open(scratchDir('cio-journal-'));
  const ends = [];
  for (let i = 0; i < 5; i++) ends.push(await journal.append(entry()));
  expect(ends).toEqual([...ends].sort((a, b) => a - b));
  expect(journal.committed).toBe(ends[4]);
  const all = await idsOf(journal);
  expect(all).toHaveLength(5);
  expect(await idsOf(journal, ends[1])).toEqual(all.slice(2));
  expect((await journal.read(ends[4], LIMITS)).lines).toEqual([]);
  await journal.close();
});

it('writes events that arrive together in one batch with one fsync (group commit)', async () => {
  const files = faultyFiles({});
  const journal = await Journal.open(scratchDir('cio-journal-'), { files });
  const before = files.counts.syncs;
  const ends = await Promise.all(Array.from({ length: 200 }, () => journal.append(entry())));
  expect(new Set(ends).size).toBe(200);
  // The first event's batch goes alone; the 199 that queued meanwhile go in one more (bounded batches could make it a few).
  expect(files.counts.syncs - before).toBeLessThanOrEqual(3);
  expect(await idsOf(journal)).toHaveLength(200);
  await journal.close();
});

it('pages by count and by bytes, always at least one event a page', async () => {
  const journal = await Journal.open(scratchDir('cio-journal-'));
  for (let i = 0; i < 10; i++) await journal.append(entry(undefined, `{"pad":"${'x'.repeat(500)}"}`));
  expect((await journal.read(journal.first, { events: 3, bytes: 1 << 20 })).lines).toHaveLength(3);
  expect((await journal.read(journal.first, { events: 100, bytes: 1200 })).lines).toHaveLength(2);
  expect((await journal.read(journal.first, { events: 100, bytes: 10 })).lines).toHaveLength(1);
  await journal.close();
});

it.each<[string, Faults]>([
  ['a write refused by a full disk', { write: 'ENOSPC' }],
  ['an fsync that fails', { sync: 'EIO' }],
  ['a new segment that cannot be made', { create: 'ENOSPC' }],
  // The segment's file is made but its name cannot be made durable: the next batch takes the same file again.
  ['a new segment whose folder entry cannot be synced', { syncDir: 'ENOSPC' }],
])('after %s, the batch is not stored, nothing of it is visible, and the next one is stored in its place', async (_what, fault) => {
  const faults: Faults = {};
  const dir = scratchDir('cio-journal-');
  const journal = await Journal.open(dir, { files: faultyFiles(faults), segmentBytes: 4096 });
  await journal.append(entry());
  const end = journal.committed;
  // A new segment is due for the create and syncDir faults: one event fills the first.
  if (fault.create || fault.syncDir) await journal.append(entry(undefined, `{"pad":"${'x'.repeat(5000)}"}`));
  const before = journal.committed;
  Object.assign(faults, fault);
  const failed = await Promise.allSettled([journal.append(entry()), journal.append(entry())]);
  expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
  expect((failed[0] as PromiseRejectedResult).reason.message).toMatch(fault.sync ? /I\/O error \(EIO\)/ : /disk is full \(ENOSPC\)/);
  expect(journal.committed).toBe(before);
  expect(journal.failing?.reason).toMatch(/cannot store the event/);
  const visible = await idsOf(journal);
  Object.assign(faults, { write: undefined, sync: undefined, create: undefined, syncDir: undefined });
  await journal.append(entry(undefined, '{"event_id":"after"}'));
  expect(journal.failing).toBeUndefined();
  expect(await idsOf(journal)).toEqual([...visible, `E${n}`]);
  await journal.close();
  // Reopened, the store holds the same events: the failed batch left nothing a recovery would take for events.
  const again = await Journal.open(dir);
  expect(await idsOf(again)).toEqual([...visible, `E${n}`]);
  expect(again.committed).toBeGreaterThan(end);
  await again.close();
});

it('recovers from a crash in the middle of a write: the torn line is cut, whole lines are kept', async () => {
  const dir = scratchDir('cio-journal-');
  const journal = await Journal.open(dir);
  for (let i = 0; i < 3; i++) await journal.append(entry());
  const end = journal.committed;
  await journal.close();
  const [segment] = readdirSync(dir).filter((f) => f.startsWith('events-'));
  appendFileSync(join(dir, segment), '{"o":' + end + ',"at":1,"ts":1,"id":"torn","f":[],"b":"{\\"ev');
  const logs: string[] = [];
  const again = await Journal.open(dir, { log: (m) => logs.push(m) });
  expect(again.committed).toBe(end);
  expect(statSync(join(dir, segment)).size).toBe(end);
  expect(await idsOf(again)).toHaveLength(3);
  expect(logs.join('\n')).toMatch(/cut \d+ byte\(s\) after the last whole event/);
  expect(Number(readFileSync(join(dir, COMMITTED_FILE), 'utf8'))).toBe(end);
  await again.append(entry());
  expect(await idsOf(again)).toHaveLength(4);
  await again.close();
});

it('keeps the same store id and positions across restarts; a new folder is another store', async () => {
  const dir = scratchDir('cio-journal-');
  const journal = await Journal.open(dir);
  await journal.append(entry());
  const { storeId, committed } = journal;
  await journal.close();
  const again = await Journal.open(dir);
  expect([again.storeId, again.committed]).toEqual([storeId, committed]);
  await again.close();
  const other = await Journal.open(scratchDir('cio-journal-'));
  expect(other.storeId).not.toBe(storeId);
  await other.close();
});

it('refuses to read from a position older than what is kept, past the end, or not where an event ends', async () => {
  const journal = await Journal.open(scratchDir('cio-journal-'), { segmentBytes: 4096, retentionBytes: 8192 });
  for (let i = 0; i < 60; i++) await journal.append(entry(undefined, `{"pad":"${'x'.repeat(200)}"}`));
  expect(await journal.enforceRetention()).toBeGreaterThan(0);
  expect(journal.first).toBeGreaterThan(0);
  expect(journal.bytes).toBeLessThanOrEqual(8192 + 4096);
  const gone = await journal.read(0, LIMITS).catch((e: unknown) => e);
  expect(gone).toBeInstanceOf(PositionError);
  expect(gone).toMatchObject({ kind: 'gone', first: journal.first });
  await expect(journal.read(journal.committed + 10, LIMITS)).rejects.toMatchObject({ kind: 'beyond' });
  await expect(journal.read(journal.first + 5, LIMITS)).rejects.toMatchObject({ kind: 'misaligned' });
  // From the first position kept, everything kept reads back whole, across segments.
  const kept = await idsOf(journal);
  expect(kept.length).toBeGreaterThan(10);
  expect(kept.at(-1)).toBe(`E${n}`);
  await journal.close();
});

it('rolls a segment once its first event is segment_seconds old, and drops segments past the retention age', async () => {
  let now = 1_000_000;
  const dir = scratchDir('cio-journal-');
  const journal = await Journal.open(dir, { clock: () => now, segmentSeconds: 3600, retentionSeconds: 86_400 });
  await journal.append(entry(now));
  now += 3601_000;
  await journal.append(entry(now));
  now += 3601_000;
  await journal.append(entry(now));
  expect(readdirSync(dir).filter((f) => f.startsWith('events-'))).toHaveLength(3);
  expect(await journal.enforceRetention()).toBe(0);
  now += 86_400_000 - 7_000_000;
  // The first segment's last event is now over a day old, the second's not yet.
  expect(await journal.enforceRetention()).toBeGreaterThan(0);
  expect(readdirSync(dir).filter((f) => f.startsWith('events-'))).toHaveLength(2);
  expect(await idsOf(journal)).toHaveLength(2);
  await journal.close();
});

it('knows after a restart when each closed segment’s last event was stored (retention by age), reading only its end', async () => {
  let now = 2_000_000_000_000;
  const dir = scratchDir('cio-journal-');
  const journal = await Journal.open(dir, { clock: () => now, segmentSeconds: 60 });
  await journal.append(entry(now));
  // Its last event is longer than the first chunk read back from the end.
  await journal.append(entry(now + 1000, `{"pad":"${'x'.repeat(100_000)}"}`));
  now += 61_000;
  await journal.append(entry(now));
  await journal.close();
  now += 2 * 86_400_000;
  const again = await Journal.open(dir, { clock: () => now, retentionSeconds: 86_400 + 30 });
  // The first segment's last event is 2 days old, the second (being written) is never dropped.
  expect(await again.enforceRetention()).toBeGreaterThan(100_000);
  expect(await idsOf(again)).toHaveLength(1);
  await again.close();
});

it('gives readers only committed events, a clean prefix, while events are being written', async () => {
  const journal = await Journal.open(scratchDir('cio-journal-'), { segmentBytes: 16_384 });
  let writing = true;
  const writer = (async () => {
    for (let round = 0; round < 40; round++) await Promise.all(Array.from({ length: 25 }, () => journal.append(entry())));
    writing = false;
  })();
  const seen: number[] = [];
  let at = journal.first;
  while (writing || at < journal.committed) {
    const page = await journal.read(at, { events: 37, bytes: 1 << 20 });
    for (const line of page.lines) {
      // Each line whole and starting exactly where the one before ended.
      const event = decodeLine(line.toString('utf8'), at);
      expect(event).toBeDefined();
      seen.push(Number(event!.id.slice(1)));
      at += line.length + 1;
    }
    expect(page.next).toBe(at);
    expect(at).toBeLessThanOrEqual(journal.committed);
    if (page.lines.length === 0) await new Promise((r) => setImmediate(r));
  }
  await writer;
  expect(seen).toHaveLength(1000);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  await journal.close();
});

it('rebuilds the newest event ids from the journal for the duplicate index', async () => {
  const journal = await Journal.open(scratchDir('cio-journal-'), { segmentBytes: 4096 });
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    await journal.append(entry());
    ids.push(`E${n}`);
  }
  expect(await journal.newestIds(10)).toEqual(ids.slice(-10));
  expect(await journal.newestIds(500)).toEqual(ids);
  await journal.close();
});

it('cuts only what follows the last whole line of the last segment, whatever garbage it is', async () => {
  const dir = scratchDir('cio-journal-');
  const journal = await Journal.open(dir);
  await journal.append(entry());
  const end = journal.committed;
  await journal.close();
  const [segment] = readdirSync(dir).filter((f) => f.startsWith('events-'));
  // Zeros, as a file system may leave after a power cut when the size was updated but not the data.
  appendFileSync(join(dir, segment), Buffer.alloc(300));
  const again = await Journal.open(dir);
  expect(again.committed).toBe(end);
  await again.close();
  truncateSync(join(dir, segment), end - 1);
  const cut = await Journal.open(dir);
  expect(cut.committed).toBe(0);
  await cut.close();
});
