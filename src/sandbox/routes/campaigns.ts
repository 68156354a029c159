/**
 * Campaign-like endpoints: campaigns and broadcasts (list, one, actions, metrics) and newsletters
 * (paged list, one, contents, metrics). Deleted objects answer 404 everywhere, including their
 * actions and metrics — a connector reading children of a list read earlier must expect that.
 */
import type { Campaigns } from '../data/campaigns.js';
import { actionMetricSeries, metricSeries, parsePeriod, parseResolution } from '../data/metrics.js';
import { ApiError, intParam, notFound, pathId } from '../http.js';
import type { Router } from '../router.js';
import { scanAscending } from '../timeline.js';
import { decodeToken, nextToken, restartPastEnd } from '../tokens.js';
import type { World } from '../world.js';

/** Campaign actions come 10 a page whatever `limit` says (README). */
const ACTIONS_PER_PAGE = 10;

function registerCampaignKind(router: Router, path: string, pick: (world: World) => Campaigns, singular: string): void {
  const find = (world: World, params: Record<string, string>) => {
    const id = pathId(params);
    const j = pick(world).set.find(id);
    if (j < 0) throw notFound(`${singular} ${id}`);
    return { id, j };
  };

  router.add('GET', `/${path}`, (_req, world) => {
    const kind = pick(world);
    return { [path]: kind.set.live().map((j) => kind.record(j)) };
  });

  router.add('GET', `/${path}/:id`, (req, world) => {
    const { j } = find(world, req.params);
    return { [singular]: pick(world).record(j) };
  });

  router.add('GET', `/${path}/:id/actions`, (req, world) => {
    const { id, j } = find(world, req.params);
    const kind = pick(world);
    const actions = kind.liveActionIndexes(j);
    const tag = `${path}:${id}:actions`;
    const offset = restartPastEnd(decodeToken(req.query.get('start'), tag), actions.length);
    const page = scanAscending(actions.length, offset, ACTIONS_PER_PAGE, () => true, (n) => kind.actionRecord(actions[n]));
    // Live: `{"actions":[]}` with no `next` key at all (the spec declares one); `next` only while more follow.
    return page.nextOffset === null ? { actions: page.items } : { actions: page.items, next: nextToken(tag, page.nextOffset) };
  });

  // One action (documented: GET /v1/campaigns/{id}/actions/{action_id}, and the same for broadcasts): 404 when the
  // parent or the action is gone, or the action is another parent's.
  router.add('GET', `/${path}/:id/actions/:action_id`, (req, world) => {
    const { j } = find(world, req.params);
    const kind = pick(world);
    const a = kind.findAction(j, pathId(req.params, 'action_id'));
    if (a < 0) throw notFound(`action ${req.params.action_id} of ${singular} ${req.params.id}`);
    return { action: kind.actionRecord(a) };
  });

  router.add('GET', `/${path}/:id/metrics`, (req, world) => {
    const { id, j } = find(world, req.params);
    const { period, steps } = parsePeriod(req.query);
    const subject = { seed: world.seed, kind: path, id, created: pick(world).set.created(j), perDay: 100 + (id % 5) * 80 };
    return metricSeries(subject, period, steps, world.clock.now());
  });

  // One action's metrics. Campaigns: `version` is required (1: period/steps, 2: res/start/end), both answer
  // {"metric":{"series":…}}; broadcasts document version 1 only and ignore `version`.
  router.add('GET', `/${path}/:id/actions/:action_id/metrics`, (req, world) => {
    const { j } = find(world, req.params);
    const kind = pick(world);
    const a = kind.findAction(j, pathId(req.params, 'action_id'));
    if (a < 0) throw notFound(`action ${req.params.action_id} of ${singular} ${req.params.id}`);
    const now = world.clock.now();
    const subject = { seed: world.seed, kind: `${path}_actions`, id: Number(kind.actionSet.idOf(a)), created: Math.max(kind.set.created(j), kind.actionSet.created(a)), perDay: 20 + (a % 4) * 15 };
    const webhook = kind.actionType(a) === 'webhook';
    const version = kind.broadcast ? '1' : req.query.get('version');
    if (version === '2') {
      const { period, steps, end } = parseResolution(req.query, now);
      return actionMetricSeries(subject, webhook, period, steps, end);
    }
    if (version !== '1') throw new ApiError(400, 'version is required: 1 or 2', { parameter: 'version' });
    const { period, steps } = parsePeriod(req.query);
    return actionMetricSeries(subject, webhook, period, steps, now);
  });
}

export function registerCampaigns(router: Router): void {
  registerCampaignKind(router, 'campaigns', (w) => w.campaigns, 'campaign');
  registerCampaignKind(router, 'broadcasts', (w) => w.broadcasts, 'broadcast');

  router.add('GET', '/newsletters', (req, world) => {
    const catalog = world.catalog;
    const sort = req.query.get('sort') ?? 'desc';
    if (sort !== 'asc' && sort !== 'desc') throw new ApiError(400, 'sort must be asc or desc', { parameter: 'sort' });
    const limit = intParam(req.query, 'limit', { default: 10, max: 100 }); // [inferred] the README gives no default or maximum
    const live = catalog.newsletters.live();
    if (sort === 'desc') live.reverse();
    // Live: a token past the end answers an empty page with `""` (no restart), and the page that exhausts the list
    // still carries a `next` (`limit=1` over one newsletter: `MQ==`), whose page is `{"newsletters":[],"next":""}`.
    const offset = decodeToken(req.query.get('start'), 'newsletters');
    const page = scanAscending(live.length, offset, limit, () => true, (n) => catalog.newsletter(live[n]));
    const next = page.items.length > 0 ? (page.nextOffset ?? Math.max(offset + page.items.length, live.length)) : null;
    return { newsletters: page.items, next: nextToken('newsletters', next) };
  });

  const findNewsletter = (world: World, params: Record<string, string>) => {
    const id = pathId(params);
    const j = world.catalog.newsletters.find(id);
    if (j < 0) throw notFound(`newsletter ${id}`);
    return { id, j };
  };

  router.add('GET', '/newsletters/:id', (req, world) => ({ newsletter: world.catalog.newsletter(findNewsletter(world, req.params).j) }));

  router.add('GET', '/newsletters/:id/test_groups', (req, world) => ({ test_groups: world.catalog.testGroups(findNewsletter(world, req.params).j) }));

  router.add('GET', '/newsletters/:id/contents', (req, world) => ({ contents: world.catalog.contents(findNewsletter(world, req.params).j) }));

  router.add('GET', '/newsletters/:id/metrics', (req, world) => {
    const { id, j } = findNewsletter(world, req.params);
    const { period, steps } = parsePeriod(req.query);
    const subject = { seed: world.seed, kind: 'newsletters', id, created: world.catalog.newsletters.created(j), perDay: 300 + (id % 3) * 150 };
    return metricSeries(subject, period, steps, world.clock.now());
  });
}
