/**
 * Delete tracking (engine/deletes.ts) and the client-side pass (engine/client-pass.ts) on their own: which keys
 * vanished, what is remembered for the next read, which records a pass keeps and when it stops.
 */
import { ClientPass } from '../../src/engine/client-pass.js';
import { DeleteTracker } from '../../src/engine/deletes.js';
import { clientSide } from '../../src/engine/incremental.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { noPagination } from '../../src/engine/paginators.js';
import { DAY, MAY_1 } from './fixtures.js';

const listOf = (primaryKey: string[][], trackDeletes = true) =>
  ({ name: 'things', primaryKey, request: { path: '/things' }, records: '$.things[*]', paginate: noPagination, incremental: clientSide('updated'), trackDeletes }) satisfies StreamDefinition;

const NOW = MAY_1 + 10 * DAY;
const DELETED_AT = new Date(NOW * 1000).toISOString();
const at = (nowSeconds: number, savedCursors: unknown[] = []) => ({ nowSeconds, savedCursors });

describe('DeleteTracker', () => {
  it('reports the keys of the last read not seen now, and remembers the keys seen (each once) with their newest cursor', () => {
    const tracker = DeleteTracker.for(listOf([['id']]))!;
    tracker.observe([{ id: 1, updated: MAY_1 }, { id: 3, updated: MAY_1 + DAY }]);
    tracker.observe([{ id: 3, updated: MAY_1 + DAY }]);
    const { deletions, memory } = tracker.finish({ ids: [1, 2, 3], ids_cursor: MAY_1 + 2 * DAY }, at(NOW));
    expect(deletions).toEqual([{ id: 2, updated: NOW, _ab_cdc_deleted_at: DELETED_AT }]);
    // The last memory's cursor is newer than any record now: kept, a key that held it may still hold it somewhere.
    expect(memory).toEqual({ ids: [1, 3], ids_cursor: MAY_1 + 2 * DAY });
  });

  it.each<[string, unknown, unknown[], number, unknown]>([
    ['the deletion time when every record it saw is older', MAY_1, [], NOW, NOW],
    ['the newest cursor seen when that is later than the clock (a record dated ahead)', NOW + DAY, [], NOW, NOW + DAY],
    ['the deletion time rounded up to whole seconds', MAY_1, [], NOW + 0.25, NOW + 1],
    ['the state\'s cursors for a memory saved without ids_cursor', undefined, [MAY_1, NOW + 3600], NOW, NOW + 3600],
    ['the deletion time in the cursor\'s own ISO form', '2024-05-02T00:00:00Z', [], NOW, '2024-05-11T00:00:00Z'],
  ])('gives a deletion as its cursor %s', (_what, idsCursor, savedCursors, nowSeconds, expected) => {
    const tracker = DeleteTracker.for(listOf([['id']]))!;
    const { deletions } = tracker.finish({ ids: [2], ...(idsCursor === undefined ? {} : { ids_cursor: idsCursor }) }, at(nowSeconds, savedCursors));
    expect(deletions).toEqual([{ id: 2, updated: expected, _ab_cdc_deleted_at: new Date(nowSeconds * 1000).toISOString() }]);
  });

  it('compares ids as text: a key the API sent as a number once and a string now has not vanished', () => {
    const tracker = DeleteTracker.for(listOf([['id']]))!;
    tracker.observe([{ id: '7' }]);
    expect(tracker.finish({ ids: [7] }, at(NOW)).deletions).toEqual([]);
  });

  it('tracks a key of several fields as the list of their values', () => {
    const tracker = DeleteTracker.for(listOf([['broadcast_id'], ['id']]))!;
    tracker.observe([{ broadcast_id: 2, id: 1, updated: MAY_1 }]);
    const { deletions, memory } = tracker.finish({ ids: [[2, 1], [2, 5]] }, at(NOW));
    expect(deletions).toEqual([{ broadcast_id: 2, id: 5, updated: NOW, _ab_cdc_deleted_at: DELETED_AT }]);
    expect(memory).toEqual({ ids: [[2, 1]], ids_cursor: MAY_1 });
  });

  it('reports nothing on a first read (no memory yet), and only starts remembering', () => {
    const tracker = DeleteTracker.for(listOf([['id']]))!;
    tracker.observe([{ id: 1, updated: 'March 7' }]);
    // A cursor that is not a time is not remembered as one.
    expect(tracker.finish({}, at(NOW))).toEqual({ deletions: [], memory: { ids: [1] } });
  });

  it('is not made for a stream that does not track deletes, nor for one keyed by a nested field', () => {
    expect(DeleteTracker.for(listOf([['id']], false))).toBeUndefined();
    expect(DeleteTracker.for(listOf([['identifiers', 'cio_id']]))).toBeUndefined();
  });
});

describe('ClientPass', () => {
  const now = () => MAY_1 + 10 * DAY;

  it('keeps records at or after the bound, and tallies the newest cursor over every record, kept or not', () => {
    const pass = new ClientPass({ strategy: clientSide('updated'), since: MAY_1, nowSeconds: now });
    const { kept, stop } = pass.page([{ id: 1, updated: MAY_1 + DAY }, { id: 2, updated: MAY_1 - DAY }, { id: 3, updated: MAY_1 }]);
    expect(kept.map((r) => r.id)).toEqual([1, 3]);
    expect(stop).toBe(false);
    pass.page([{ id: 4, updated: MAY_1 + 2 * DAY }]);
    expect(pass.maximum).toBe(MAY_1 + 2 * DAY);
  });

  it('keeps the newest value in the form the record carried it', () => {
    const pass = new ClientPass({ strategy: clientSide('updated'), since: undefined, nowSeconds: now });
    pass.page([{ updated: '2024-05-02T00:00:00Z' }, { updated: MAY_1 }]);
    expect(pass.maximum).toBe('2024-05-02T00:00:00Z');
  });

  it('stops a newest-first pass after a page wholly older than the bound', () => {
    const pass = new ClientPass({ strategy: clientSide('timestamp', { stopWhenOlder: true }), since: MAY_1, nowSeconds: now });
    expect(pass.page([{ timestamp: MAY_1 + 1 }, { timestamp: MAY_1 - 1 }]).stop).toBe(false);
    expect(pass.page([{ timestamp: MAY_1 - 2 }, { timestamp: MAY_1 - 3 }]).stop).toBe(true);
  });

  it('prints a record dated beyond the clock\'s tolerance but never takes it as the newest value, and tells who counts them', () => {
    const ahead: unknown[] = [];
    const pass = new ClientPass({ strategy: clientSide('timestamp'), since: MAY_1, nowSeconds: now, ahead: (value) => ahead.push(value) });
    const clientClock = now() + 20 * 3600;
    const { kept } = pass.page([{ id: 1, timestamp: clientClock }, { id: 2, timestamp: now() - 60 }, { id: 3, timestamp: now() + 60 }]);
    expect(kept.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(pass.maximum).toBe(now() + 60);
    expect(ahead).toEqual([clientClock]);
  });

  it('keeps everything and tallies nothing in a full refresh', () => {
    const pass = new ClientPass({ strategy: undefined, since: MAY_1, nowSeconds: now });
    expect(pass.page([{ updated: MAY_1 - DAY }]).kept).toHaveLength(1);
    expect(pass.maximum).toBeUndefined();
  });
});
