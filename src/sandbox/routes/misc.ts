/**
 * Reference-list endpoints: workspaces (the cheap credentials check), exports, sender identities,
 * subscription topics, object types, reporting webhooks, collections, snippets, ESP suppressions
 * (offset paging) and the unauthenticated IP address list.
 */
import { SUPPRESSION_TYPES, type SuppressionType } from '../data/misc.js';
import { ApiError, intParam, notFound } from '../http.js';
import type { Router } from '../router.js';
import { scanAscending } from '../timeline.js';
import { decodeToken, nextToken, restartPastEnd } from '../tokens.js';

export function registerMisc(router: Router): void {
  router.add('GET', '/workspaces', (req, world) => world.misc.workspaces(req.region));
  router.add('GET', '/exports', (_req, world) => world.misc.exports());
  router.add('GET', '/subscription_topics', (_req, world) => world.misc.topics());
  router.add('GET', '/subscription_channels', (_req, world) => world.misc.channels());

  // Opt-outs as seen live: start/limit (default 100, max 1000 per the docs; larger is answered with a 200 [inferred:
  // clamped]), a positional token, no `next` key at all on the last page, an out-of-range token answers [] (no restart),
  // a malformed one a 400.
  router.add('GET', '/optouts', (req, world) => {
    const limit = intParam(req.query, 'limit', { default: 100, max: 1000 });
    const count = world.misc.optoutCount();
    const offset = decodeToken(req.query.get('start'), 'optouts');
    const end = Math.min(count, offset + limit);
    const items = offset >= count ? [] : Array.from({ length: end - offset }, (_, i) => world.misc.optout(offset + i));
    return end < count && items.length > 0 ? { optouts: items, next: nextToken('optouts', end) } : { optouts: items };
  });
  router.add('GET', '/object_types', (_req, world) => world.misc.objectTypes());
  router.add('GET', '/reporting_webhooks', (_req, world) => world.misc.reportingWebhooks());
  router.add('GET', '/collections', (_req, world) => world.misc.collections());
  router.add('GET', '/info/ip_addresses', (_req, world) => world.misc.ipAddresses(), { auth: false });

  // [inferred] the spec gives sender identities start/limit/next but no default or maximum: 100 and 1000.
  // `hidden=true` lists the hidden senders only, `hidden=false` the others [Airbyte's connector, from live answers];
  // without it [inferred] the visible ones, as with false.
  router.add('GET', '/sender_identities', (req, world) => {
    const count = world.sizes.senderIdentities;
    const limit = intParam(req.query, 'limit', { default: 100, max: 1000 });
    const descending = req.query.get('sort') === 'desc';
    const hidden = req.query.get('hidden') === 'true';
    const at = (n: number) => world.misc.senderIdentity(descending ? count - 1 - n : n);
    const offset = restartPastEnd(decodeToken(req.query.get('start'), 'sender_identities'), count);
    const page = scanAscending(count, offset, limit, (n) => at(n).hidden === hidden, at);
    return { sender_identities: page.items, next: nextToken('sender_identities', page.nextOffset) };
  });

  router.add('GET', '/snippets', (_req, world) => {
    const catalog = world.catalog;
    return { snippets: catalog.snippets.live().map((j) => catalog.snippet(j)) };
  });

  router.add('GET', '/snippets/:name', (req, world) => {
    const j = world.catalog.snippetIndex(req.params.name);
    if (j < 0 || world.churn.isDeleted(world.catalog.snippets.kind, j)) throw notFound(`snippet ${req.params.name}`);
    return { snippet: world.catalog.snippet(j) };
  });

  // Offset paging, no `next`: a page shorter than `limit` is the last one. `domain` (optional) keeps the
  // suppressions made on that sending domain; `offset` counts records of the filtered list [inferred: whether
  // offset advances was never seen live]. Live: an unknown type is a 400 `type is invalid`; a negative or huge
  // offset, limit=100000 and a stray `start` all get a 200; an empty page is `{"suppressions": null}`, without
  // the `category` the spec declares.
  router.add('GET', '/esp/suppression/:type', (req, world) => {
    const type = req.params.type as SuppressionType;
    if (!SUPPRESSION_TYPES.includes(type)) throw new ApiError(400, 'type is invalid');
    const limit = intParam(req.query, 'limit', { default: 100, max: 1000 });
    const offset = Math.max(0, Math.trunc(Number(req.query.get('offset'))) || 0);
    const domain = req.query.get('domain');
    const count = world.sizes.suppressions;
    const positions = domain ? Array.from({ length: count }, (_, n) => n).filter((n) => world.misc.suppressedOn(type, domain, n)) : undefined;
    const page = positions
      ? positions.slice(offset, offset + limit).map((n) => world.misc.suppression(type, n))
      : scanAscending(count, offset, limit, () => true, (n) => world.misc.suppression(type, n)).items;
    return page.length === 0 ? { suppressions: null } : { category: type, suppressions: page };
  });
}
