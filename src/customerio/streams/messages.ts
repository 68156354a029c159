/**
 * Messages: every delivery of the workspace (GET /v1/messages), campaigns', newsletters', broadcasts' and
 * transactional ones alike. One partition per type listed in `message_types` (one unfiltered partition when
 * none is), each read in `start_ts`/`end_ts` windows with its own cursor; the delivery shape, windows and
 * lookback are shared with transactional_message_details (../deliveries.ts).
 */
import type { Config } from '../../config.js';
import { DAY } from '../../engine/incremental.js';
import { cursorPaginator } from '../../engine/paginators.js';
import type { Partition, RequestContext, StreamDefinition } from '../../engine/types.js';
import { deliveryWindows, normalizeDelivery, windowQuery } from '../deliveries.js';

/** How far back a first read without `start_date` goes. */
export const MESSAGES_DEFAULT_HISTORY_SECONDS = 365 * DAY;

function typePartitions(config: Config): Partition[] {
  if (config.messageTypes.length === 0) return [{ key: 'all' }];
  return config.messageTypes.map((type) => ({ key: `type=${type}`, values: { type } }));
}

export const messages = {
  name: 'messages',
  primaryKey: [['id']],
  schema: 'deliveries.json',
  request: {
    path: '/messages',
    query: (ctx: RequestContext) => ({ type: ctx.partition.values?.type as string | undefined, ...windowQuery(ctx) }),
  },
  records: '$.messages[*]',
  // `next` pages within one window of one run only; state never keeps a token (they are positional).
  paginate: cursorPaginator({ limit: 1000 }),
  partitions: typePartitions,
  transform: normalizeDelivery,
  incremental: deliveryWindows((nowSeconds) => nowSeconds - MESSAGES_DEFAULT_HISTORY_SECONDS),
  notes: (config, _nowSeconds, read) =>
    read.firstRead && config.startDateSeconds === undefined
      ? ['start_date is not set: a first read of messages covers the last 365 days; set start_date to read further back']
      : [],
} satisfies StreamDefinition;
