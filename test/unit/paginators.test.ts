/** Paginators are pure: given the page just read, they say what to ask for next (or stop). */
import { cursorPaginator, noPagination, offsetPaginator, overlappingOffsetPaginator, PAGE_PASS_RESTARTS, pagePaginator, type PageState, type Paginator } from '../../src/engine/paginators.js';
import { ConnectorError } from '../../src/errors.js';
import type { QueryValue, Record_ } from '../../src/engine/types.js';

const activity = (id: string, timestamp: number) => ({ id, type: 'event', name: 'purchase', timestamp, customer_id: '1' });

/** Walks a paginator over canned pages the way the read loop does; returns the params of every request. */
function walk(paginator: Paginator, pages: Array<{ body: unknown; records: number }>): Array<Record<string, QueryValue>> {
  const state: PageState = { params: paginator.first(), seen: new Set() };
  const asked = [state.params];
  for (const page of pages) {
    const next = paginator.next(page.body, page.records, state);
    if (!next) return asked;
    state.params = next;
    asked.push(next);
  }
  return asked;
}

const fresh = (): PageState => ({ params: {}, seen: new Set() });

describe('cursorPaginator', () => {
  it('asks for the first page without a start parameter', () => {
    expect(cursorPaginator().first()).toEqual({});
    expect(cursorPaginator({ limit: 100 }).first()).toEqual({ limit: 100 });
  });

  it('sends the answer\'s next token back as start on the second page, keeping the limit', () => {
    const body = { activities: [activity('01HV', 1714000000)], next: 'djIwOjE=' };
    expect(cursorPaginator({ limit: 100 }).next(body, 1, fresh())).toEqual({ limit: 100, start: 'djIwOjE=' });
  });

  it('follows tokens page after page, each request carrying the previous answer\'s token', () => {
    const asked = walk(cursorPaginator({ limit: 2 }), [
      { body: { activities: [activity('a', 1), activity('b', 2)], next: 't1' }, records: 2 },
      { body: { activities: [activity('c', 3), activity('d', 4)], next: 't2' }, records: 2 },
      { body: { activities: [activity('e', 5)], next: '' }, records: 1 },
    ]);
    expect(asked).toEqual([{ limit: 2 }, { limit: 2, start: 't1' }, { limit: 2, start: 't2' }]);
  });

  it.each([
    ['next is missing', { activities: [activity('a', 1)] }, 1],
    ['next is an empty string', { activities: [activity('a', 1)], next: '' }, 1],
    ['next is null', { activities: [activity('a', 1)], next: null }, 1],
    ['the page is empty even though next is not', { activities: [], next: 'djIwOjQ=' }, 0],
    ['the body is not an object', 'oops', 1],
    ['the body is null', null, 1],
  ])('stops when %s', (_case, body, records) => {
    expect(cursorPaginator().next(body, records, fresh())).toBeNull();
  });

  it('reads the token from a custom field and sends it under a custom parameter', () => {
    const paginator = cursorPaginator({ tokenField: 'cursor', tokenParam: 'after' });
    expect(paginator.next({ items: [{ id: 1 }], cursor: 'abc' }, 1, fresh())).toEqual({ after: 'abc' });
  });

  it('sends a numeric token as text', () => {
    expect(cursorPaginator().next({ ids: ['1'], next: 20 }, 1, fresh())).toEqual({ start: '20' });
  });

  it('throws a transient_error naming the token when the API repeats a token within one pass (the list started over)', () => {
    const paginator = cursorPaginator();
    const state = fresh();
    paginator.next({ ids: ['1'], next: 'same' }, 1, state);
    let thrown: unknown;
    try {
      paginator.next({ ids: ['2'], next: 'same' }, 1, state);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect((thrown as ConnectorError).failureType).toBe('transient_error');
    expect((thrown as ConnectorError).message).toMatch(/loop.*"same"/i);
  });

  it('does not carry tokens from one pass into the next (each pass has a fresh state)', () => {
    const paginator = cursorPaginator();
    expect(paginator.next({ ids: ['1'], next: 't1' }, 1, fresh())).toEqual({ start: 't1' });
    expect(paginator.next({ ids: ['1'], next: 't1' }, 1, fresh())).toEqual({ start: 't1' });
  });
});

describe('offsetPaginator', () => {
  it('starts at offset 0 with the limit', () => {
    expect(offsetPaginator({ limit: 50 }).first()).toEqual({ limit: 50, offset: 0 });
  });

  it('moves the offset by the records of each full page and stops on a short page', () => {
    const asked = walk(offsetPaginator({ limit: 2 }), [
      { body: {}, records: 2 },
      { body: {}, records: 2 },
      { body: {}, records: 1 },
      { body: {}, records: 2 },
    ]);
    expect(asked).toEqual([
      { limit: 2, offset: 0 },
      { limit: 2, offset: 2 },
      { limit: 2, offset: 4 },
    ]);
  });

  it('stops on an empty page', () => {
    expect(offsetPaginator({ limit: 10 }).next({}, 0, { params: { limit: 10, offset: 30 }, seen: new Set() })).toBeNull();
  });

  it('uses custom parameter names', () => {
    const paginator = offsetPaginator({ limit: 3, limitParam: 'per_page', offsetParam: 'skip' });
    expect(paginator.first()).toEqual({ per_page: 3, skip: 0 });
    expect(paginator.next({}, 3, { params: { per_page: 3, skip: 6 }, seen: new Set() })).toEqual({ per_page: 3, skip: 9 });
  });
});

describe('pagePaginator', () => {
  /** A Design Studio answer: the page's emails (by id) and meta.pagination. */
  const answer = (ids: string[], page: number, limit: number, total: number) => ({
    emails: ids.map((id) => ({ id, name: `email ${id}`, updated: 1_700_000_000 })),
    folders: [],
    meta: { pagination: { page, limit, total }, filters: { sort_by: 'updated' } },
  });
  const pages = (limit: number, total: number, ...ids: string[][]) => ids.map((page, i) => ({ body: answer(page, i + 1, limit, total), records: page.length }));

  it('asks for the first page with the limit and without a page parameter', () => {
    expect(pagePaginator({ limit: 10_000, records: 'emails' }).first()).toEqual({ limit: 10_000 });
  });

  it.each([
    ['a full page while page × limit is below total', pages(2, 5, ['a', 'b'], ['c', 'd'], ['e']), [{ limit: 2 }, { limit: 2, page: 2 }, { limit: 2, page: 3 }]],
    ['a short page ends the pass', pages(2, 9, ['a', 'b'], ['c']), [{ limit: 2 }, { limit: 2, page: 2 }]],
    ['page × limit reaching total ends the pass (no empty page asked)', pages(2, 4, ['a', 'b'], ['c', 'd'], []), [{ limit: 2 }, { limit: 2, page: 2 }]],
    ['an empty page ends the pass', pages(2, 9, ['a', 'b'], []), [{ limit: 2 }, { limit: 2, page: 2 }]],
    ['a first page holding the whole list is the only one', pages(3, 3, ['a', 'b', 'c']), [{ limit: 3 }]],
    ['an empty list is one request', pages(3, 0, []), [{ limit: 3 }]],
  ])('pages on: %s', (_case, answers, asked) => {
    expect(walk(pagePaginator({ limit: asked[0].limit as number, records: 'emails' }), answers)).toEqual(asked);
  });

  it('without meta.pagination.total, pages on until a short or empty page', () => {
    const bare = (ids: string[]) => ({ body: { emails: ids.map((id) => ({ id })) }, records: ids.length });
    expect(walk(pagePaginator({ limit: 2, records: 'emails' }), [bare(['a', 'b']), bare(['c', 'd']), bare([])])).toEqual([{ limit: 2 }, { limit: 2, page: 2 }, { limit: 2, page: 3 }]);
  });

  it('starts the pass again from page 1 when total moves between pages (an item left the list: positions shifted)', () => {
    const asked = walk(pagePaginator({ limit: 2, records: 'emails' }), [
      { body: answer(['a', 'b'], 1, 2, 5), records: 2 },
      // b was deleted after page 1: c moved onto page 1 and page 2 starts with d.
      { body: answer(['d', 'e'], 2, 2, 4), records: 2 },
      { body: answer(['a', 'c'], 1, 2, 4), records: 2 },
      { body: answer(['d', 'e'], 2, 2, 4), records: 2 },
    ]);
    expect(asked).toEqual([{ limit: 2 }, { limit: 2, page: 2 }, { limit: 2 }, { limit: 2, page: 2 }]);
  });

  it('starts the pass again from page 1 when an id comes twice (an item moved behind the page being read)', () => {
    const asked = walk(pagePaginator({ limit: 2, records: 'emails' }), [
      { body: answer(['a', 'b'], 1, 2, 4), records: 2 },
      // a was edited after page 1 and sorts last now: c moved onto page 1.
      { body: answer(['d', 'a'], 2, 2, 4), records: 2 },
      { body: answer(['b', 'c'], 1, 2, 4), records: 2 },
      { body: answer(['d', 'a'], 2, 2, 4), records: 2 },
    ]);
    expect(asked).toEqual([{ limit: 2 }, { limit: 2, page: 2 }, { limit: 2 }, { limit: 2, page: 2 }]);
  });

  it(`gives up with a transient error after ${PAGE_PASS_RESTARTS} restarts (an API that ignores page answers page 1 again and again)`, () => {
    const paginator = pagePaginator({ limit: 2, records: 'emails' });
    const state: PageState = { params: paginator.first(), seen: new Set() };
    const same = answer(['a', 'b'], 1, 2, 10);
    let thrown: unknown;
    try {
      for (let i = 0; i < 20; i++) state.params = paginator.next(same, 2, state) ?? state.params;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect((thrown as ConnectorError).failureType).toBe('transient_error');
    expect((thrown as ConnectorError).message).toMatch(/"a" listed twice/);
  });

  it('keeps each pass apart: the ids of one pass are no repeat in the next', () => {
    const paginator = pagePaginator({ limit: 2, records: 'emails' });
    const one = answer(['a', 'b'], 1, 2, 4);
    expect(paginator.next(one, 2, fresh())).toEqual({ limit: 2, page: 2 });
    expect(paginator.next(one, 2, fresh())).toEqual({ limit: 2, page: 2 });
  });
});

describe('noPagination', () => {
  it('asks once with no parameters and never for a second page', () => {
    expect(noPagination.first()).toEqual({});
    expect(noPagination.next({ campaigns: [{ id: 1 }], next: 'ignored' }, 1, fresh())).toBeNull();
  });
});

describe('overlappingOffsetPaginator', () => {
  const records = (...keys: string[]): Record_[] => keys.map((email) => ({ email }));
  const paginator = () => overlappingOffsetPaginator({ limit: 3, key: (r) => (typeof r.email === 'string' ? r.email : undefined) });
  /** The offsets a pass asks for, given what each page answers (in order). */
  function offsets(pages: Record_[][]): QueryValue[] {
    const p = paginator();
    const state: PageState = { params: p.first(), seen: new Set() };
    const asked = [state.params.offset];
    for (const page of pages) {
      const next = p.next({}, page.length, state, page);
      if (!next) return asked;
      state.params = next;
      asked.push(next.offset);
    }
    throw new Error('the pass did not end with the pages given');
  }

  it.each<[string, Record_[][], QueryValue[]]>([
    ['asks each page from the last record of the one before', [records('a', 'b', 'c'), records('c', 'd', 'e'), records('e')], [0, 2, 4]],
    ['stops after a short page', [records('a', 'b')], [0]],
    ['stops after a short page that opens as it should', [records('a', 'b', 'c'), records('c', 'd')], [0, 2]],
    // One deletion or several before it: the page cannot tell how many records moved past, so it steps back either way.
    ['steps back when the page opens with a record never seen (a deletion moved the one before onto the page before)', [records('a', 'b', 'c'), records('d', 'e', 'f'), records('a', 'c', 'd'), records('f')], [0, 2, 0, 4]],
    ['goes on when records were added before (the page opens with repeats)', [records('a', 'b', 'c'), records('x', 'c', 'd'), records('d')], [0, 2, 4]],
    ['steps back a page, then goes on, when the record the page should open with is nowhere on it', [records('a', 'b', 'c'), records('f', 'g', 'h'), records('a', 'd', 'e'), records('h')], [0, 2, 0, 4]],
    ['steps back and ends when the page that should open with it was the last', [records('a', 'b', 'c'), records('f'), records('a', 'd', 'e')], [0, 2, 0]],
  ])('%s', (_what, pages, expected) => {
    expect(offsets(pages)).toEqual(expected);
  });

  it('sends its limit on every page', () => {
    const p = paginator();
    const state: PageState = { params: p.first(), seen: new Set() };
    expect(state.params).toEqual({ limit: 3, offset: 0 });
    expect(p.next({}, 3, state, records('a', 'b', 'c'))).toEqual({ limit: 3, offset: 2 });
  });
});
