/**
 * A definition that declares dedupeInPass (engine/repeats.ts): the page loop drops a record the same pass already
 * gave, by primary key, right after transform and before enrich; each pass starts afresh.
 */
import nock from 'nock';
import { cursorPaginator } from '../../src/engine/paginators.js';
import { PassRepeats, primaryKeyOf, RepeatedPages } from '../../src/engine/repeats.js';
import type { EnrichContext, Record_, StreamDefinition } from '../../src/engine/types.js';
import { BASE, ReadRun } from './reader-harness.js';

describe('primaryKeyOf', () => {
  it.each<[string, string[][], Record_, string | undefined]>([
    ['one field', [['id']], { id: 7 }, '["7"]'],
    ['a number and its text alike (the API sends both)', [['id']], { id: '7' }, '["7"]'],
    ['several fields, nested paths', [['type'], ['ids', 'cio']], { type: 2, ids: { cio: 'a1' } }, '["2","a1"]'],
    ['a missing part', [['type'], ['id']], { type: 2 }, undefined],
    ['a null part', [['id']], { id: null }, undefined],
  ])('%s', (_what, key, record, expected) => {
    expect(primaryKeyOf(key, record)).toBe(expected);
  });
});

describe('PassRepeats', () => {
  it('keeps the first record of each key across pages, in order, and every record without its whole key', () => {
    const repeats = new PassRepeats([['type'], ['id']]);
    expect(repeats.firstTimes([{ type: 1, id: 'a' }, { type: 1, id: 'b' }, { type: 1, id: 'a' }])).toEqual([{ type: 1, id: 'a' }, { type: 1, id: 'b' }]);
    expect(repeats.firstTimes([{ type: 1, id: 'b' }, { type: 1, id: null }, { type: 1, id: null }, { type: '1', id: 'c' }])).toEqual([{ type: 1, id: null }, { type: 1, id: null }, { type: '1', id: 'c' }]);
  });
});

describe('RepeatedPages', () => {
  const page = (...ids: Array<number | string | null>) => ids.map((id) => ({ id }));

  it('finds the first page of the pass given again (ids as text or numbers alike)', () => {
    const pages = new RepeatedPages([['id']]);
    expect(pages.earlier(0, page(1, 2, 3))).toBeUndefined();
    expect(pages.earlier(1, page(4, 5, 6))).toBeUndefined();
    expect(pages.earlier(2, page(1, 2, '3'))).toBe(0);
  });

  it('takes a page that repeats the page before it (a list read newest first while as many records arrived as a page holds), or only shares records', () => {
    const pages = new RepeatedPages([['id']]);
    expect(pages.earlier(0, page(1, 2, 3))).toBeUndefined();
    expect(pages.earlier(1, page(4, 5, 6))).toBeUndefined();
    expect(pages.earlier(2, page(4, 5, 6))).toBeUndefined();
    expect(pages.earlier(3, page(3, 4, 5))).toBeUndefined();
    expect(pages.earlier(4, page(1, 2))).toBeUndefined();
    expect(pages.earlier(5, page(2, 1, 3))).toBeUndefined();
  });

  it('says nothing of empty pages or of records without keys', () => {
    const pages = new RepeatedPages([['id']]);
    expect([pages.earlier(0, page(null, null)), pages.earlier(1, page(null, null)), pages.earlier(2, [])]).toEqual([undefined, undefined, undefined]);
  });
});

describe('Reader: a definition with dedupeInPass', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  /** Two partitions (object types 1 and 2), each two pages whose second starts with the first's last object. */
  function serve(): void {
    for (const type of ['1', '2']) {
      nock(BASE)
        .get(`/types/${type}/objects`)
        .query({ limit: '2' })
        .reply(200, { objects: [{ id: 'a' }, { id: 'b' }], next: 'p2' })
        .get(`/types/${type}/objects`)
        .query({ limit: '2', start: 'p2' })
        .reply(200, { objects: [{ id: 'b' }, { id: 'c' }], next: '' });
    }
  }

  const definition = (dedupeInPass: boolean, enriched: string[][]) =>
    ({
      name: 'objects',
      primaryKey: [['type'], ['id']],
      jsonSchema: { type: 'object' },
      partitions: () => ['1', '2'].map((type) => ({ key: type })),
      request: { path: ({ partition }) => `/types/${partition.key}/objects` },
      records: '$.objects[*]',
      paginate: cursorPaginator({ limit: 2 }),
      transform: (record, { partition }) => ({ ...record, type: partition.key }),
      // Stands for a request per record (objects' attributes): what it is asked for is recorded.
      enrich: async (records: Record_[], ctx: EnrichContext) => (enriched.push(records.map((r) => `${ctx.partition.key}:${String(r.id)}`)), records.map((r) => ({ ...r, enriched: true }))),
      dedupeInPass,
      concurrency: 1,
    }) satisfies StreamDefinition;

  it('prints each key once a pass and enriches no repeat; another pass (partition) starts afresh', async () => {
    serve();
    const enriched: string[][] = [];
    const run = new ReadRun();
    await run.read([{ definition: definition(true, enriched), syncMode: 'full_refresh' }]);
    expect(run.records('objects').map((r) => `${r.type}:${r.id}`)).toEqual(['1:a', '1:b', '1:c', '2:a', '2:b', '2:c']);
    expect(enriched.flat()).toEqual(['1:a', '1:b', '1:c', '2:a', '2:b', '2:c']);
  });

  it('prints and enriches every repeat without it', async () => {
    serve();
    const enriched: string[][] = [];
    const run = new ReadRun();
    await run.read([{ definition: definition(false, enriched), syncMode: 'full_refresh' }]);
    expect(run.records('objects').map((r) => `${r.type}:${r.id}`)).toEqual(['1:a', '1:b', '1:b', '1:c', '2:a', '2:b', '2:b', '2:c']);
    expect(enriched.flat()).toHaveLength(8);
  });
});
