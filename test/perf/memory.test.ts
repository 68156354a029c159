/**
 * Constant memory in what a long pass keeps: the pagination loop guard remembers a bounded number of tokens,
 * and still catches a loop among them. (Peak RSS itself is measured by the benchmark, not here.)
 */
import { cursorPaginator, LOOP_GUARD_TOKENS, type PageState } from '../../src/engine/paginators.js';

describe('a pass of many pages', () => {
  it('keeps at most LOOP_GUARD_TOKENS tokens, the latest, however long it runs', () => {
    const paginator = cursorPaginator({ limit: 100 });
    const state: PageState = { params: paginator.first(), seen: new Set() };
    for (let page = 1; page <= 10_000; page++) state.params = paginator.next({ next: `v20:${page * 100}` }, 100, state)!;
    expect(state.seen.size).toBe(LOOP_GUARD_TOKENS);
    expect(state.seen.has('v20:1000000')).toBe(true);
    expect(state.seen.has('v20:100')).toBe(false);
  });

  it('still stops a loop among the latest tokens', () => {
    const paginator = cursorPaginator({ limit: 100 });
    const state: PageState = { params: paginator.first(), seen: new Set() };
    for (let page = 1; page <= 5_000; page++) paginator.next({ next: `t${page}` }, 100, state);
    expect(() => paginator.next({ next: 't4990' }, 100, state)).toThrow(/Pagination loop detected/);
  });
});
