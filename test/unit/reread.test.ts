/**
 * A full-refresh list paged by position that shrinks while it is read (StreamDefinition.rereadWhenPaged,
 * engine/reread.ts): a pass of several pages is read once more and only what the first pass skipped is handed on,
 * enriched, printed; a one-page pass is not read again.
 */
import nock from 'nock';
import { cursorPaginator } from '../../src/engine/paginators.js';
import { fnv1a, PassKeys } from '../../src/engine/reread.js';
import type { EnrichContext, Record_, StreamDefinition } from '../../src/engine/types.js';
import { BASE, ReadRun } from './reader-harness.js';

describe('PassKeys', () => {
  it('tells the keys it was given from others, as text (7 and "7" alike), before and after it is sealed', () => {
    const keys = new PassKeys([['segment_id'], ['cio_id']]);
    keys.add([{ segment_id: 1, cio_id: 'a' }, { segment_id: 1, cio_id: 'b' }, { segment_id: 1 }]);
    keys.seal();
    expect(keys.has({ segment_id: '1', cio_id: 'a' })).toBe(true);
    expect(keys.has({ segment_id: 1, cio_id: 'c' })).toBe(false);
    expect(keys.has({ segment_id: 1 })).toBe(false);
    // Each unseen record once; records without their whole key are left out (the first pass handed them on).
    expect(keys.unseen([{ segment_id: 1, cio_id: 'c' }, { segment_id: 1, cio_id: 'a' }, { segment_id: 1, cio_id: 'c' }, { segment_id: 1 }])).toEqual([{ segment_id: 1, cio_id: 'c' }]);
  });

  it('grows past its first block and finds every key among many', () => {
    const keys = new PassKeys([['id']]);
    keys.add(Array.from({ length: 5000 }, (_, i) => ({ id: i * 2 })));
    keys.seal();
    const misses = Array.from({ length: 5000 }, (_, i) => i * 2 + 1).filter((id) => keys.has({ id }));
    expect(Array.from({ length: 5000 }, (_, i) => keys.has({ id: i * 2 })).every(Boolean)).toBe(true);
    // A hash shared by chance is the only way a key not given reads as given: none among these.
    expect(misses).toEqual([]);
  });

  it.each<[string, number]>([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j as FNV-1a 32', (text, expected) => {
    expect(fnv1a(text)).toBe(expected);
  });
});

describe('Reader: a definition with rereadWhenPaged', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const definition = (enriched: string[]) =>
    ({
      name: 'members',
      primaryKey: [['cio_id']],
      jsonSchema: { type: 'object' },
      request: { path: '/members' },
      records: '$.members[*]',
      paginate: cursorPaginator({ limit: 3 }),
      // Stands for a request per record: what it is asked for is recorded.
      enrich: async (records: Record_[], _ctx: EnrichContext) => (enriched.push(...records.map((r) => String(r.cio_id))), records),
      rereadWhenPaged: true,
    }) satisfies StreamDefinition;

  it('reads a pass of several pages again, and prints (and enriches) only the member the first pass skipped', async () => {
    // a–e; b leaves after page 1 was read: page 2 (from the 4th place) starts at e, and d is on no page.
    const api = nock(BASE)
      .get('/members')
      .query({ limit: '3' })
      .reply(200, { members: [{ cio_id: 'a' }, { cio_id: 'b' }, { cio_id: 'c' }], next: 'Mw==' })
      .get('/members')
      .query({ limit: '3', start: 'Mw==' })
      .reply(200, { members: [{ cio_id: 'e' }], next: '' })
      .get('/members')
      .query({ limit: '3' })
      .reply(200, { members: [{ cio_id: 'a' }, { cio_id: 'c' }, { cio_id: 'd' }], next: 'Mw==' })
      .get('/members')
      .query({ limit: '3', start: 'Mw==' })
      .reply(200, { members: [{ cio_id: 'e' }], next: '' });
    const enriched: string[] = [];
    const run = new ReadRun();
    await run.read([{ definition: definition(enriched), syncMode: 'full_refresh' }]);
    expect(run.records('members').map((r) => r.cio_id)).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(enriched).toEqual(['a', 'b', 'c', 'e', 'd']);
    expect(api.isDone()).toBe(true);
  });

  it('does not read a one-page pass again', async () => {
    nock(BASE).get('/members').query({ limit: '3' }).reply(200, { members: [{ cio_id: 'a' }], next: '' });
    const run = new ReadRun();
    await run.read([{ definition: definition([]), syncMode: 'full_refresh' }]);
    expect(run.records('members').map((r) => r.cio_id)).toEqual(['a']);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
