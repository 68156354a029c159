/**
 * What a remembered key a complete read did not see means (engine/vanished.ts): deleted at once, looked up on its own
 * (a list read in pages may have skipped it), or kept unreported.
 */
import type { Remembered } from '../../src/engine/deletes.js';
import { LEGACY_LOOKUP_BUDGET, vanishedVerdicts, type ReadShape } from '../../src/engine/vanished.js';

const item = (fields: Record<string, unknown>): Remembered => ({ item: fields, entry: Object.values(fields), key: JSON.stringify(fields) });
const byCampaign = (record: Record<string, unknown>) => (record.campaign_id === undefined ? undefined : String(record.campaign_id));
const shape = (pages: Array<[string, number]>, partitioned = true, canLookUp = true): ReadShape => ({ partitioned, pages: new Map(pages), canLookUp });

describe('vanishedVerdicts', () => {
  it.each<[string, Remembered, ReadShape, unknown]>([
    ['deleted when its pass had one page (one answer is one look at the list)', item({ id: 1 }), shape([['', 1]], false), { action: 'deleted' }],
    ['looked up when its pass had several pages', item({ id: 1 }), shape([['', 3]], false), { action: 'lookup', partitions: [''] }],
    ['kept unreported when its pass had several pages and the stream has no lookup', item({ id: 1 }), shape([['', 3]], false, false), { action: 'keep' }],
    ['deleted when its partition was not read (the parent is gone, or answered 404)', item({ campaign_id: 5, id: 1 }), shape([['3', 4]]), { action: 'deleted' }],
    ['deleted when its partition was read in one page', item({ campaign_id: 5, id: 1 }), shape([['5', 1], ['3', 4]]), { action: 'deleted' }],
    ['looked up in its own partition when that was read in pages', item({ campaign_id: 5, id: 1 }), shape([['5', 2], ['3', 4]]), { action: 'lookup', partitions: ['5'] }],
    ['looked up in every partition read in pages when the memory does not name it', item({ id: 1 }), shape([['5', 2], ['3', 1], ['7', 4]]), { action: 'lookup', partitions: ['5', '7'] }],
    ['deleted when the memory does not name it and no partition was read in pages', item({ id: 1 }), shape([['5', 1], ['3', 1]]), { action: 'deleted' }],
  ])('a vanished key is %s', (_what, vanished, readShape, expected) => {
    expect(vanishedVerdicts([vanished], readShape, byCampaign)).toEqual([expected]);
  });

  it('reports keys of a memory that names no partition deleted, as before, once looking them up would cost more than the budget', () => {
    const partitions: Array<[string, number]> = Array.from({ length: 11 }, (_, i) => [String(i), 2]);
    const affordable = Array.from({ length: Math.floor(LEGACY_LOOKUP_BUDGET / 11) }, (_, i) => item({ id: i }));
    expect(vanishedVerdicts(affordable, shape(partitions), byCampaign).every((v) => v.action === 'lookup')).toBe(true);
    const tooMany = [...affordable, item({ id: 999 })];
    expect(vanishedVerdicts(tooMany, shape(partitions), byCampaign).every((v) => v.action === 'deleted')).toBe(true);
    // Keys that name their partition are not counted against it.
    expect(vanishedVerdicts([...affordable, item({ campaign_id: 3, id: 5 })], shape(partitions), byCampaign).at(-1)).toEqual({ action: 'lookup', partitions: ['3'] });
  });
});

describe('the streams', () => {
  it('give every delete-tracked list that can ask for a second page a lookup, and no other stream one', async () => {
    const { parseConfig } = await import('../../src/config.js');
    const { streamsFor } = await import('../../src/customerio/streams/index.js');
    const { noPagination } = await import('../../src/engine/paginators.js');
    const streams = streamsFor(parseConfig({ app_api_key: 'k' }));
    const paged = streams.filter((s) => s.trackDeletes && s.paginate !== noPagination).map((s) => s.name);
    expect(paged.sort()).toEqual(['broadcast_actions', 'campaign_actions', 'newsletters']);
    expect(streams.filter((s) => s.lookup).map((s) => s.name).sort()).toEqual(paged.sort());
  });
});
