/**
 * People endpoints: activities, the customer search, customer attributes (batch and single), and
 * segments with their membership and what uses them.
 */
import { compileFilter } from '../data/filter.js';
import { segmentUsage } from '../data/usage.js';
import { ID_TYPES, type IdType } from '../data/people.js';
import { ApiError, boolParam, intParam, notFound, pathId } from '../http.js';
import type { Router } from '../router.js';
import { newestFirst, oldestFirst, scanAscending, scanOrdered, shuffled } from '../timeline.js';
import { decodeToken, nextToken, restartPastEnd } from '../tokens.js';
import type { World } from '../world.js';

function idType(query: URLSearchParams): IdType {
  const raw = query.get('id_type') ?? 'id';
  if (!(ID_TYPES as readonly string[]).includes(raw)) {
    throw new ApiError(400, `id_type must be one of ${ID_TYPES.join(', ')}`, { parameter: 'id_type' });
  }
  return raw as IdType;
}

/** `ids` as the search answers them: "" for people without an id, and a number for every 17th (README: coerce). */
function searchId(world: World, person: number): string | number {
  const id = world.people.id(person);
  if (id === null) return '';
  return person % 17 === 5 ? Number(id) : id;
}

function membershipPage(world: World, persons: number[], next: string) {
  return {
    identifiers: persons.map((p) => world.people.identifiers(p)),
    ids: persons.map((p) => searchId(world, p)),
    next,
  };
}

/**
 * A page of a segment's members, as seen live: the parent id on the envelope, and both arrays null (not []) when
 * the page is empty (an empty segment, a token past the end).
 */
function segmentPage(world: World, segmentId: number, persons: number[], next: string) {
  if (persons.length === 0) return { segment_id: segmentId, identifiers: null, ids: null, next };
  return { segment_id: segmentId, ...membershipPage(world, persons, next) };
}

export function registerPeople(router: Router): void {
  router.add('GET', '/activities', (req, world) => {
    const { query } = req;
    const limit = intParam(query, 'limit', { default: 10, max: 100 });
    const types = query.getAll('type').flatMap((t) => t.split(',')).filter(Boolean);
    let person: number | undefined;
    const customerId = query.get('customer_id');
    if (customerId !== null && customerId !== '') {
      person = world.people.resolve(idType(query), customerId);
      if (person < 0) person = -2; // nobody: an empty list, like an unknown person's activity feed
    }
    const accept = world.activities.accepts({
      types,
      name: query.get('name') ?? undefined,
      includeDeleted: boolParam(query, 'deleted'),
      person,
    });
    const range = world.activities.range(world.clock.now());
    const offset = restartPastEnd(decodeToken(query.get('start'), 'activities'), range.last - range.first + 1);
    const order = world.activitiesOrder === 'oldest_first' ? oldestFirst : world.activitiesOrder === 'shuffled' ? shuffled(world.seed) : newestFirst;
    const page = scanOrdered(range, order, offset, limit, accept, (k) => world.activities.record(k));
    return { activities: page.items, next: nextToken('activities', page.nextOffset) };
  });

  router.add('POST', '/customers', (req, world) => {
    const accept = compileFilter(req.body, world.people, world.catalog);
    const limit = intParam(req.query, 'limit', { default: 50, max: 1000 });
    const count = world.people.count;
    const offset = restartPastEnd(decodeToken(req.query.get('start'), 'customers'), count);
    const page = scanAscending(count, offset, limit, accept, (i) => i);
    return membershipPage(world, page.items, nextToken('customers', page.nextOffset));
  });

  router.add('POST', '/customers/attributes', (req, world) => {
    const type = idType(req.query);
    const body = req.body as { ids?: unknown } | undefined;
    const ids = body?.ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) {
      throw new ApiError(400, 'ids must be an array of 1 to 100 identifiers', { pointer: '/ids' });
    }
    const customers: unknown[] = [];
    for (const raw of ids) {
      if (typeof raw !== 'string' && typeof raw !== 'number') continue;
      const person = world.people.resolve(type, String(raw));
      if (person < 0) continue; // unknown ids are left out
      const detail = world.people.detail(person);
      customers.push(world.flatCustomerAttributes ? detail : { customer: detail });
    }
    return { customers };
  });

  router.add('GET', '/customers/:id/attributes', (req, world) => {
    const person = world.people.resolve(idType(req.query), req.params.id);
    if (person < 0) throw notFound(`customer ${req.params.id}`);
    return { customer: world.people.detail(person) };
  });

  // Live: `limit`, `start` and `sort` are ignored; every segment at once, ids ascending, no `next`.
  router.add('GET', '/segments', (_req, world) => {
    const catalog = world.catalog;
    return { segments: catalog.segments.live().map((j) => catalog.segment(j)) };
  });

  router.add('GET', '/segments/:id', (req, world) => {
    const j = world.catalog.segments.find(pathId(req.params));
    if (j < 0) throw notFound(`segment ${req.params.id}`);
    return { segment: world.catalog.segment(j) };
  });

  router.add('GET', '/segments/:id/used_by', (req, world) => {
    const j = world.catalog.segments.find(pathId(req.params));
    if (j < 0) throw notFound(`segment ${req.params.id}`);
    return segmentUsage(world, j);
  });

  router.add('GET', '/segments/:id/membership', (req, world) => {
    const id = pathId(req.params);
    const j = world.catalog.segments.find(id);
    if (j < 0) throw notFound(`segment ${id}`);
    // Live: limit=0 falls back to the default, 30001 gets a 200; a token past the end gives an empty page, no restart.
    const limit = req.query.get('limit') === '0' ? 1000 : intParam(req.query, 'limit', { default: 1000, max: 30000 });
    const m = world.catalog.membership(j);
    const tag = `segment:${id}`;
    const offset = decodeToken(req.query.get('start'), tag);
    const page = scanAscending(m.size, offset, limit, () => true, (n) => m.first + n * m.step);
    return segmentPage(world, id, page.items, nextToken(tag, page.nextOffset));
  });
}
