/**
 * Paginators: pure rules for "what do I ask for next". A paginator never performs I/O; the read loop
 * asks it for the first page's parameters and then, with each answer, for the next page's (or null).
 * Each pass gets a fresh state object, so a token seen twice in one pass is caught as a loop.
 */
import { ConnectorError } from '../errors.js';
import type { QueryValue, Record_ } from './types.js';

export interface PageState {
  /** Query parameters of the page just fetched. */
  params: Record<string, QueryValue>;
  /** The latest tokens of this pass (loop guard; at most LOOP_GUARD_TOKENS). */
  seen: Set<string>;
  /** overlappingOffsetPaginator's memory of the pass: the last key of the page before, and where to go on after a step back. */
  overlap?: { last?: string; resumeAt?: number | null };
}

export interface Paginator {
  first(): Record<string, QueryValue>;
  /** Parameters of the next page, or null when the pass is over. `records`: the page's records as the answer listed them. */
  next(body: unknown, recordCount: number, state: PageState, records?: readonly Record_[]): Record<string, QueryValue> | null;
}

/** How many of a pass's latest tokens the loop guard remembers. */
export const LOOP_GUARD_TOKENS = 1000;

/** Cursor paging: the answer's `next` goes back as `?start=`; stop on a missing/empty `next` or an empty page. */
export function cursorPaginator(options: { limit?: number; tokenField?: string; tokenParam?: string } = {}): Paginator {
  const tokenField = options.tokenField ?? 'next';
  const tokenParam = options.tokenParam ?? 'start';
  const base = options.limit === undefined ? {} : { limit: options.limit };
  return {
    first: () => ({ ...base }),
    next(body, recordCount, state) {
      if (recordCount === 0) return null;
      const token = body && typeof body === 'object' ? (body as Record<string, unknown>)[tokenField] : undefined;
      if (token === undefined || token === null || token === '') return null;
      const text = String(token);
      if (state.seen.has(text)) {
        throw new ConnectorError(
          `Pagination loop detected: the API returned the token "${text}" twice in one pass`,
          'system_error',
        );
      }
      state.seen.add(text);
      // The most recent tokens are enough to catch a loop (the pass's page limit catches the rest): memory stays
      // flat however long the pass (a million activities are 10,000 tokens).
      if (state.seen.size > LOOP_GUARD_TOKENS) state.seen.delete(state.seen.values().next().value as string);
      return { ...base, [tokenParam]: text };
    },
  };
}

/** Offset paging: `limit`/`offset`; a page shorter than `limit` is the last. */
export function offsetPaginator(options: { limit: number; limitParam?: string; offsetParam?: string }): Paginator {
  const limitParam = options.limitParam ?? 'limit';
  const offsetParam = options.offsetParam ?? 'offset';
  return {
    first: () => ({ [limitParam]: options.limit, [offsetParam]: 0 }),
    next(_body, recordCount, state) {
      if (recordCount < options.limit) return null;
      const offset = Number(state.params[offsetParam] ?? 0) + recordCount;
      return { [limitParam]: options.limit, [offsetParam]: offset };
    },
  };
}

/**
 * Offset paging for a list that may shrink while it is read (esp_suppressions): each page is asked for from the last
 * record of the page before, so it opens with that record while nothing before it changed. A record deleted from a
 * page already read moves every later one up a place, past the offset asked for: when the record the page should open
 * with is nowhere on it, records moved past (one deletion or many, the page cannot tell), and the place before it is
 * asked for again (`limit − 1` places back, catching up to a page of moved records) before the paging goes on.
 * Records added before only bring repeats (the stream drops them: dedupeInPass). Cost: `limit − 1` new records a
 * page (about one request in `limit` more), and one request per page boundary a deletion crossed. `key` names a record
 * as the list lists it (undefined: cannot be told apart, never matched).
 */
export function overlappingOffsetPaginator(options: { limit: number; key: (record: Record_) => string | undefined; limitParam?: string; offsetParam?: string }): Paginator {
  const limitParam = options.limitParam ?? 'limit';
  const offsetParam = options.offsetParam ?? 'offset';
  const at = (offset: number) => ({ [limitParam]: options.limit, [offsetParam]: offset });
  return {
    first: () => at(0),
    next(_body, recordCount, state, records = []) {
      const memory = (state.overlap ??= {});
      if (memory.resumeAt !== undefined) {
        // The page just read was a step back: go on where the paging was.
        const resume = memory.resumeAt;
        memory.resumeAt = undefined;
        return resume === null ? null : at(resume);
      }
      const offset = Number(state.params[offsetParam] ?? 0);
      const expected = memory.last;
      const full = recordCount >= options.limit && options.limit > 1;
      memory.last = full ? options.key(records[records.length - 1] ?? {}) : undefined;
      const following = full ? offset + recordCount - 1 : null;
      if (expected !== undefined && offset > 0 && !records.some((record) => options.key(record) === expected)) {
        memory.resumeAt = following;
        return at(Math.max(0, offset - (options.limit - 1)));
      }
      return following === null ? null : at(following);
    },
  };
}

/** One request, one page. */
export const noPagination: Paginator = { first: () => ({}), next: () => null };
