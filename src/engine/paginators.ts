/**
 * Paginators: pure rules for "what do I ask for next". A paginator never performs I/O; the read loop
 * asks it for the first page's parameters and then, with each answer, for the next page's (or null).
 * Each pass gets a fresh state object, so a token seen twice in one pass is caught as a loop.
 */
import { ConnectorError } from '../errors.js';
import type { QueryValue } from './types.js';

/** The API gave a `next` token it gave before in the same pass: the pass is going round in a loop (see pages.ts). */
export class RepeatedToken extends ConnectorError {
  constructor(readonly token: string) {
    super(`Pagination loop detected: the API returned the token "${token}" twice in one pass`, 'transient_error');
  }
}

export interface PageState {
  /** Query parameters of the page just fetched. */
  params: Record<string, QueryValue>;
  /** The latest tokens of this pass (loop guard; at most LOOP_GUARD_TOKENS). */
  seen: Set<string>;
}

export interface Paginator {
  first(): Record<string, QueryValue>;
  /** Parameters of the next page, or null when the pass is over. */
  next(body: unknown, recordCount: number, state: PageState): Record<string, QueryValue> | null;
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
      if (state.seen.has(text)) throw new RepeatedToken(text);
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

/** One request, one page. */
export const noPagination: Paginator = { first: () => ({}), next: () => null };
