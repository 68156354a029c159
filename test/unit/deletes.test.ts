/**
 * Delete tracking (engine/deletes.ts) and the client-side pass (engine/client-pass.ts) on their own: which keys
 * vanished, what is remembered for the next read, which records a pass keeps and when it stops.
 */
import { ClientPass } from '../../src/engine/client-pass.js';
import { DeleteTracker, entryItem } from '../../src/engine/deletes.js';
import { clientSide } from '../../src/engine/incremental.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { noPagination } from '../../src/engine/paginators.js';
import { DAY, MAY_1 } from './fixtures.js';

const listOf = (primaryKey: string[][], trackDeletes = true) =>
  ({ name: 'things', primaryKey, request: { path: '/things' }, records: '$.things[*]', paginate: noPagination, incremental: clientSide('updated'), trackDeletes }) satisfies StreamDefinition;

const NOW = MAY_1 + 10 * DAY;
const DELETED_AT = new Date(NOW * 1000).toISOString();
const at = (nowSeconds: number, savedCursors: unknown[] = []) => ({ nowSeconds, savedCursors });

/** A tracker that starts from `previous` and saw `records`; `finish` reports every vanished key gone (as a one-page list would). */
function trackerAfter(definition: StreamDefinition, previous: unknown, records: Array<Record<string, unknown>> = []): DeleteTracker {
  const tracker = DeleteTracker.for(definition, previous)!;
  tracker.observe(records);
  return tracker;
}
const finishAll = (tracker: DeleteTracker, when = at(NOW)) => tracker.finish(tracker.vanished(), when);

describe('DeleteTracker', () => {
  it('reports the keys of the last read not seen now, and remembers the keys seen (each once) with their newest cursor', () => {
    const tracker = DeleteTracker.for(listOf([['id']]), { ids: [1, 2, 3], ids_cursor: MAY_1 + 2 * DAY })!;
    tracker.observe([{ id: 1, updated: MAY_1 }, { id: 3, updated: MAY_1 + DAY }]);
    tracker.observe([{ id: 3, updated: MAY_1 + DAY }]);
    expect(tracker.vanished().map((v) => v.item)).toEqual([{ id: 2 }]);
    const { deletions, memory } = finishAll(tracker);
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
    const tracker = trackerAfter(listOf([['id']]), { ids: [2], ...(idsCursor === undefined ? {} : { ids_cursor: idsCursor }) });
    const { deletions } = finishAll(tracker, at(nowSeconds, savedCursors));
    expect(deletions).toEqual([{ id: 2, updated: expected, _ab_cdc_deleted_at: new Date(nowSeconds * 1000).toISOString() }]);
  });

  it('compares ids as text: a key the API sent as a number once and a string now has not vanished', () => {
    expect(trackerAfter(listOf([['id']]), { ids: [7] }, [{ id: '7' }]).vanished()).toEqual([]);
  });

  it('tracks a key of several fields as the list of their values', () => {
    const tracker = trackerAfter(listOf([['broadcast_id'], ['id']]), { ids: [[2, 1], [2, 5]] }, [{ broadcast_id: 2, id: 1, updated: MAY_1 }]);
    const { deletions, memory } = finishAll(tracker);
    expect(deletions).toEqual([{ broadcast_id: 2, id: 5, updated: NOW, _ab_cdc_deleted_at: DELETED_AT }]);
    expect(memory).toEqual({ ids: [[2, 1]], ids_cursor: MAY_1 });
  });

  it('reports nothing on a first read (no memory yet), and only starts remembering', () => {
    // A cursor that is not a time is not remembered as one.
    expect(finishAll(trackerAfter(listOf([['id']]), {}, [{ id: 1, updated: 'March 7' }]))).toEqual({ deletions: [], memory: { ids: [1] } });
  });

  it('is not made for a stream that does not track deletes, nor for one keyed by a nested field', () => {
    expect(DeleteTracker.for(listOf([['id']], false), {})).toBeUndefined();
    expect(DeleteTracker.for(listOf([['identifiers', 'cio_id']]), {})).toBeUndefined();
  });

  it.each<[string, unknown, Record<string, unknown>, boolean]>([
    ['a key the last read did not see', { ids: [1, 2] }, { id: 3 }, true],
    ['a key it saw, written as text now', { ids: [1, 2] }, { id: '2' }, false],
    ['any key when there is no memory (a first read)', {}, { id: 3 }, false],
    ['any key when the state has cursors only (carried over from another connector)', { ids_cursor: MAY_1 }, { id: 3 }, false],
    ['a key in a memory that keeps more fields than the key', { ids: [[9, 2]] }, { id: 2, campaign_id: 9 }, false],
    ['a key a memory of plain ids holds, for a stream that now keeps more', { ids: [2] }, { id: 2, campaign_id: 9 }, false],
  ])('tells whether a destination may never have had a record: %s', (_what, memory, record, expected) => {
    const withParent = { ...listOf([['id']]), lookup: { remember: ['campaign_id', 'id'], path: () => '/x', record: '$.x' } };
    expect(DeleteTracker.for(withParent, memory)!.isNew(record)).toBe(expected);
  });

  it('remembers the fields a lookup needs beside the key, reads plain ids of an older memory, and keeps a vanished key it is told to', () => {
    const actions = { ...listOf([['id']]), lookup: { remember: ['campaign_id', 'id'], path: () => '/x', record: '$.x' } };
    const tracker = DeleteTracker.for(actions, { ids: [1001, [1, 1002], [1, 1003], [{ bad: true }, 1]] })!;
    tracker.observe([{ campaign_id: 1, id: 1001, updated: MAY_1 }]);
    const vanished = tracker.vanished();
    expect(vanished.map((v) => v.item)).toEqual([{ campaign_id: 1, id: 1002 }, { campaign_id: 1, id: 1003 }]);
    tracker.keep(vanished[0]);
    const { deletions, memory } = tracker.finish([vanished[1]], at(NOW));
    expect(deletions).toEqual([{ campaign_id: 1, id: 1003, updated: NOW, _ab_cdc_deleted_at: DELETED_AT }]);
    expect(memory.ids).toEqual([[1, 1001], [1, 1002]]);
  });
});

describe('entryItem', () => {
  it.each<[string, unknown, string[], string[], Record<string, unknown> | undefined]>([
    ['one field', 7, ['id'], ['id'], { id: 7 }],
    ['one field as a list of one', [7], ['id'], ['id'], { id: 7 }],
    ['the remembered fields', [1, 7], ['campaign_id', 'id'], ['id'], { campaign_id: 1, id: 7 }],
    ['the key alone, from an older memory', 7, ['campaign_id', 'id'], ['id'], { id: 7 }],
    ['a key of two fields', [2, 5], ['broadcast_id', 'id'], ['broadcast_id', 'id'], { broadcast_id: 2, id: 5 }],
    ['nothing from a list of the wrong length', [1, 2, 3], ['campaign_id', 'id'], ['id'], undefined],
    ['nothing from a null', null, ['id'], ['id'], undefined],
    ['nothing from an object', { id: 7 }, ['id'], ['id'], undefined],
  ])('reads a memory entry: %s', (_what, entry, fields, keyFields, expected) => {
    expect(entryItem(entry, fields, keyFields)).toEqual(expected);
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
