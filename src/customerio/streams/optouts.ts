/**
 * optouts: the people who opted out of a sender on a channel (SMS or WhatsApp), one row per person with the list of
 * `{channel, from}` they left (`GET /v1/optouts`). No id and no timestamps: keyed by `cio_id` (every person has one;
 * `customer_id`, the person's `id`, may be missing), read in full every time.
 *
 * Paging is `start`/`limit` with a positional token (base64 like `MTox`); the last page has no `next` key at all (seen
 * live), so the pass ends on a missing or empty `next`, or on an empty page. A person leaving the list between two pages
 * moves the next person onto a page already read: that sync misses them, the next one has them again (nothing is saved
 * across syncs, and a full refresh replaces the table); a person listed twice on a shift is printed once (dedupeInPass).
 */
import { cursorPaginator } from '../../engine/paginators.js';
import type { Record_, StreamDefinition } from '../../engine/types.js';
import { idString } from '../people.js';
import { objectOrNull } from './support.js';

/** People per page: the documented maximum (default 100; a larger limit is answered with a 200, seen live). */
const PAGE = 1000;

/** A person's opt-outs as printed: ids as text, and each entry `{channel, from}` ([] when the API sends null). */
export function optoutRow(record: Record_): Record_ {
  const entries = Array.isArray(record.optouts) ? record.optouts : [];
  return {
    ...record,
    cio_id: idString(record.cio_id),
    customer_id: idString(record.customer_id),
    optouts: entries.map(objectOrNull).filter((entry) => entry !== null).map((entry) => ({ ...entry, channel: entry.channel ?? null, from: entry.from ?? null })),
  };
}

export const optouts = {
  name: 'optouts',
  primaryKey: [['cio_id']],
  request: { path: '/optouts' },
  records: '$.optouts[*]',
  paginate: cursorPaginator({ limit: PAGE }),
  transform: optoutRow,
  dedupeInPass: true,
  keyless: { one: 'person without a cio_id', many: 'people without a cio_id' },
} satisfies StreamDefinition;
