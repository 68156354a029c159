/**
 * Messages: every delivery of the workspace (GET /v1/messages), campaigns', newsletters', broadcasts' and
 * transactional ones alike. One partition per type listed in `message_types` (one unfiltered partition when
 * none is), each read in `start_ts`/`end_ts` windows with its own cursor; the delivery shape, windows and
 * lookback are shared with transactional_message_details (../deliveries.ts).
 */
import type { Config } from '../../config.js';
import { cursorPaginator } from '../../engine/paginators.js';
import type { Partition, RequestContext, StreamDefinition } from '../../engine/types.js';
import { deliveryWindows, MESSAGES_SERVED_SECONDS, normalizeDelivery, startDateBeyondServed, windowQuery } from '../deliveries.js';

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
  // A first read without start_date reads all the API serves (the last 6 months), and none reads further back.
  incremental: deliveryWindows((nowSeconds) => nowSeconds - MESSAGES_SERVED_SECONDS, MESSAGES_SERVED_SECONDS),
  notes: (config, nowSeconds) => startDateBeyondServed(config, nowSeconds, MESSAGES_SERVED_SECONDS, 'GET /v1/messages'),
} satisfies StreamDefinition;
