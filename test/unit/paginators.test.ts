/** Paginators are pure: given the page just read, they say what to ask for next (or stop). */
import { cursorPaginator, noPagination, offsetPaginator, type PageState, type Paginator } from '../../src/engine/paginators.js';
import { ConnectorError } from '../../src/errors.js';
import type { QueryValue } from '../../src/engine/types.js';

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

describe('noPagination', () => {
  it('asks once with no parameters and never for a second page', () => {
    expect(noPagination.first()).toEqual({});
    expect(noPagination.next({ campaigns: [{ id: 1 }], next: 'ignored' }, 1, fresh())).toBeNull();
  });
});
