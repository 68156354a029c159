/**
 * Delivery endpoints: `/v1/messages` and transactional templates with their deliveries and metrics.
 * Both delivery lists are newest first and honour `start_ts`/`end_ts` on `created` (both inclusive, as seen live,
 * unless the sandbox is told to read a bound as exclusive: world.deliveryBounds), narrowing windows longer than 30
 * days to their last 30 days, and serve only what is younger than their retention (data/deliveries.ts: 6 months for
 * /v1/messages, 12 for the per-template route), silently. A token past the end restarts at page 1 (tokens.ts).
 */
import type { DeliveryFilter, DeliveryStream } from '../data/deliveries.js';
import { MESSAGE_TYPES } from '../data/deliveries.js';
import { metricSeries, parsePeriod } from '../data/metrics.js';
import { ApiError, boolParam, intParam, notFound, optionalSeconds, pathId } from '../http.js';
import type { Router } from '../router.js';
import { narrowWindow, scanNewest } from '../timeline.js';
import { restartPastEnd, decodeToken, nextToken } from '../tokens.js';
import type { World } from '../world.js';

const STATES = ['failed', 'sent', 'drafted', 'attempted'];

function optionalInt(query: URLSearchParams, name: string): number | undefined {
  return query.get(name) ? intParam(query, name, { default: 0 }) : undefined;
}

/** One page of a delivery stream, for the key (`messages`) both endpoints answer with. */
function deliveryPage(world: World, stream: DeliveryStream, query: URLSearchParams, tag: string, filter: DeliveryFilter) {
  const now = world.clock.now();
  const limit = intParam(query, 'limit', { default: 50, max: 1000 });
  const window = narrowWindow(now, optionalSeconds(query, 'start_ts'), optionalSeconds(query, 'end_ts'));
  // Times are whole seconds: an exclusive bound is the inclusive one a second inside.
  const { start, end } = world.deliveryBounds;
  const from = window.from !== undefined && start === 'exclusive' ? window.from + 1 : window.from;
  const to = window.to !== undefined && end === 'exclusive' ? window.to - 1 : window.to;
  const range = stream.timeline.range(now, from, to);
  const metric = query.get('metric');
  const accept = stream.accepts({ ...filter, metric: metric || undefined }, now);
  const size = Math.max(0, range.last - range.first + 1);
  // Live: a token past the end (`v20:2` over 2 rows) restarts at page 1; the page that reaches the end says `""`.
  const offset = restartPastEnd(decodeToken(query.get('start'), tag), size, true);
  const page = scanNewest(range, offset, limit, accept, (k) => stream.record(k, now));
  return { messages: page.items, next: nextToken(tag, page.nextOffset !== null && page.nextOffset >= size ? null : page.nextOffset) };
}

export function registerMessages(router: Router): void {
  router.add('GET', '/messages', (req, world) => {
    const { query } = req;
    const types = query.getAll('type').flatMap((t) => t.split(',')).filter(Boolean);
    for (const type of types) {
      if (!MESSAGE_TYPES.includes(type)) throw new ApiError(400, `type must be one of ${MESSAGE_TYPES.join(', ')}`, { parameter: 'type' });
    }
    const campaignId = optionalInt(query, 'campaign_id');
    const newsletterId = optionalInt(query, 'newsletter_id');
    const actionId = optionalInt(query, 'action_id');
    const originOf = world.messages.originOf;
    const origin =
      campaignId === undefined && newsletterId === undefined && actionId === undefined
        ? undefined
        : (k: number) => {
            const o = originOf(k);
            return (
              (campaignId === undefined || o.campaign_id === campaignId) &&
              (newsletterId === undefined || o.newsletter_id === newsletterId) &&
              (actionId === undefined || o.action_id === actionId)
            );
          };
    return deliveryPage(world, world.messages, query, 'messages', {
      types: types.length ? new Set(types) : undefined,
      drafts: boolParam(query, 'drafts'),
      origin,
    });
  });

  router.add('GET', '/transactional', (_req, world) => {
    const catalog = world.catalog;
    return { messages: catalog.transactional.live().map((j) => catalog.transactionalMessage(j)) };
  });

  router.add('GET', '/transactional/:id', (req, world) => {
    const j = world.catalog.transactional.find(pathId(req.params));
    if (j < 0) throw notFound(`transactional message ${req.params.id}`);
    return { message: world.catalog.transactionalMessage(j) };
  });

  router.add('GET', '/transactional/:id/messages', (req, world) => {
    const id = pathId(req.params);
    const j = world.catalog.transactional.find(id);
    if (j < 0) throw notFound(`transactional message ${id}`);
    const state = req.query.get('state');
    if (state && !STATES.includes(state)) throw new ApiError(400, `state must be one of ${STATES.join(', ')}`, { parameter: 'state' });
    return deliveryPage(world, world.transactionalDeliveries, req.query, `transactional:${id}`, {
      origin: (k) => world.transactionalOf(k) === j,
      state: state || undefined,
    });
  });

  router.add('GET', '/transactional/:id/contents', (req, world) => {
    const j = world.catalog.transactional.find(pathId(req.params));
    if (j < 0) throw notFound(`transactional message ${req.params.id}`);
    return { contents: world.catalog.transactionalContents(j) };
  });

  router.add('GET', '/transactional/:id/metrics', (req, world) => {
    const id = pathId(req.params);
    const j = world.catalog.transactional.find(id);
    if (j < 0) throw notFound(`transactional message ${id}`);
    const { period, steps } = parsePeriod(req.query);
    const subject = { seed: world.seed, kind: 'transactional', id, created: world.catalog.transactional.created(j), perDay: 40 + (id % 7) * 30 };
    return metricSeries(subject, period, steps, world.clock.now());
  });
}
