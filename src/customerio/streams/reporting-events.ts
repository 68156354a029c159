/**
 * reporting_events: the events Customer.io pushes to its reporting webhooks (every message event and subscription
 * change, seconds after it happens), as kept by one or more receivers (`serve-webhooks`, src/webhooks) — read from
 * each receiver's read API, or from its store's folder. Offered only when the config names a receiver or a folder.
 * One row per event_id; incremental by position, one cursor per receiver (positions of two stores do not compare).
 */
import { positionCursor } from '../../engine/incremental.js';
import { noPagination } from '../../engine/paginators.js';
import type { SourceContext, StreamDefinition } from '../../engine/types.js';
import { FolderLogReader } from '../reporting-events/folder-reader.js';
import { HttpLogReader } from '../reporting-events/http-reader.js';
import { logBatches, POSITION, RECEIVER, type LogReader } from '../reporting-events/log.js';
import { receiverPartitions } from '../reporting-events/receivers.js';

/** A non-negative number from the environment, or undefined. */
function fromEnv(name: string): number | undefined {
  const value = process.env[name];
  const n = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function readerOf(ctx: SourceContext): LogReader {
  const { receiver, folder } = ctx.partition.values ?? {};
  const settings = ctx.config.reportingWebhooks;
  if (typeof folder === 'string') return new FolderLogReader(folder);
  // The same knobs as the App API client's (tests make a receiver that is down fail fast).
  return new HttpLogReader(String(receiver), settings.readToken ?? '', {
    warn: (message) => ctx.log('WARN', message),
    maxTries: fromEnv('CIO_MAX_TRIES'),
    backoffBaseMs: fromEnv('CIO_BACKOFF_BASE_MS'),
    timeoutMs: fromEnv('CIO_REQUEST_TIMEOUT_MS'),
  });
}

export const reportingEvents = {
  name: 'reporting_events',
  primaryKey: [['event_id']],
  // Never asked: every partition is read by its source (a receiver's read API or a store folder), not the App API.
  request: { path: '/' },
  records: '$',
  paginate: noPagination,
  partitions: (config) => receiverPartitions(config.reportingWebhooks),
  source: async (ctx) => logBatches(readerOf(ctx), ctx.resume, ctx.config.reportingWebhooks.acceptGaps, (message) => ctx.log('WARN', message)),
  incremental: positionCursor(POSITION, RECEIVER),
} satisfies StreamDefinition;
