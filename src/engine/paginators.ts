/**
 * Paginators: pure rules for "what do I ask for next". A paginator never performs I/O; the read loop
 * asks it for the first page's parameters and then, with each answer, for the next page's (or null).
 * Each pass gets a fresh state object, so a token seen twice in one pass is caught as a loop.
 */
import { ConnectorError } from '../errors.js';
import type { QueryValue, Record_ } from './types.js';

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

/** How many times a page-numbered pass starts again from page 1 after its list shifted, before it gives up. */
export const PAGE_PASS_RESTARTS = 3;

interface PagePass {
  /** `meta.pagination.total` of the pass's first answer (since its last restart). */
  total?: number;
  /** The ids the pass was given (since its last restart). */
  ids: Set<string>;
  restarts: number;
}

/**
 * Page-number paging (Design Studio): `page` from 1 and `limit`, the answer's `meta.pagination.total` counting the
 * whole (filtered) list, and no token. The first page is asked without `page` (1 is the default). The pass ends on an
 * empty page, on a page shorter than `limit`, or once page × limit reaches `total` (a page past the end answers an
 * empty list with the real total, and no restart: both ends are safe).
 *
 * Positions move when the list changes between two pages: an item deleted, or edited out of the order the list is
 * sorted in, moves the items after it one place up, and the first of the next page is on no page of the pass. Two
 * signs show a shift: `total` differs from the pass's first answer (something left or joined the list), or an id
 * comes again (something moved from a page already read to one after it — or the API ignored `page`). Either way the
 * pass starts again from page 1 (a duplicate beats a loss: the stream's dedupeInPass drops what it already printed),
 * at most PAGE_PASS_RESTARTS times, then fails with a transient error rather than end with a hole. `records` names
 * the answer's list (`emails`) and `idField` its items' key, to see repeats; the ids of one pass are held (~60 bytes
 * each). A page that is one of a pass's only page can never shift: with a large `limit` most passes are one page.
 */
export function pagePaginator(options: { limit: number; records: string; idField?: string }): Paginator {
  const { limit, records } = options;
  const idField = options.idField ?? 'id';
  // Paginators are shared by every pass; what one pass saw hangs off its own PageState.
  const passes = new WeakMap<PageState, PagePass>();
  return {
    first: () => ({ limit }),
    next(body, recordCount, state) {
      let pass = passes.get(state);
      if (!pass) passes.set(state, (pass = { ids: new Set(), restarts: 0 }));
      const total = paginationTotal(body);
      const ids = itemIds(body, records, idField);
      const moved = pass.total !== undefined && total !== undefined && total !== pass.total;
      const repeated = ids.find((id) => pass.ids.has(id));
      if (moved || repeated !== undefined) {
        if (++pass.restarts > PAGE_PASS_RESTARTS) {
          throw new ConnectorError(
            `The list changed between its pages ${PAGE_PASS_RESTARTS + 1} times in one pass (${moved ? `meta.pagination.total ${pass.total} → ${total}` : `"${repeated}" listed twice`}); ` +
              'it is read again from its first page each time so that nothing is skipped. Run the sync again once it changes less often.',
            'transient_error',
          );
        }
        passes.set(state, { ids: new Set(), restarts: pass.restarts });
        return { limit };
      }
      pass.total ??= total;
      for (const id of ids) pass.ids.add(id);
      const page = Number(state.params.page ?? 1);
      if (recordCount === 0 || recordCount < limit) return null;
      if (total !== undefined && page * limit >= total) return null;
      return { limit, page: page + 1 };
    },
  };
}

/** `meta.pagination.total` when it is a count, else undefined (then only a short or empty page ends the pass). */
function paginationTotal(body: unknown): number | undefined {
  const meta = objectAt(body, 'meta');
  const total = objectAt(meta, 'pagination')?.total;
  return typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined;
}

function itemIds(body: unknown, records: string, idField: string): string[] {
  const items = body && typeof body === 'object' ? (body as Record<string, unknown>)[records] : undefined;
  if (!Array.isArray(items)) return [];
  const ids: string[] = [];
  for (const item of items) {
    const id = item && typeof item === 'object' ? (item as Record<string, unknown>)[idField] : undefined;
    if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
  }
  return ids;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  const inner = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
}

/** One request, one page. */
export const noPagination: Paginator = { first: () => ({}), next: () => null };
