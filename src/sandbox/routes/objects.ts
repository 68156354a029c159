/**
 * Object endpoints: find objects of a type (`POST /v1/objects`, a filter required, paged, with the duplicates
 * across pages the docs warn about), one object's attributes, and the people related to one object (paged).
 * Objects are addressed by `object_id` (default) or `cio_object_id` (`id_type`).
 */
import type { Objects } from '../data/objects.js';
import { ApiError, intParam, notFound } from '../http.js';
import type { Router } from '../router.js';
import { scanAscending } from '../timeline.js';
import { restartPastEnd, decodeToken, nextToken } from '../tokens.js';

type ObjectPredicate = (j: number) => boolean;

const KEYS = ['and', 'or', 'not', 'object_attribute'];

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const bad = (pointer: string, detail: string) => new ApiError(400, `invalid filter: ${detail}`, { pointer });

/** The object filter: exactly one of and:[…], or:[…], not:{…}, object_attribute:{field, operator, value?, type_id}. */
export function compileObjectFilter(node: unknown, at: string, type: number, objects: Objects): ObjectPredicate {
  if (!isObject(node)) throw bad(at, 'expected an object with exactly one of and, or, not, object_attribute');
  const keys = Object.keys(node);
  if (keys.length !== 1 || !KEYS.includes(keys[0])) throw bad(at, `expected exactly one of ${KEYS.join(', ')}; found ${keys.join(', ') || 'nothing'}`);
  const key = keys[0];
  const value = node[key];
  const here = `${at}/${key}`;
  if (key === 'and' || key === 'or') {
    if (!Array.isArray(value) || value.length === 0) throw bad(here, `${key} must be a non-empty array`);
    const parts = value.map((child, i) => compileObjectFilter(child, `${here}/${i}`, type, objects));
    return key === 'and' ? (j) => parts.every((f) => f(j)) : (j) => parts.some((f) => f(j));
  }
  if (key === 'not') {
    const inner = compileObjectFilter(value, here, type, objects);
    return (j) => !inner(j);
  }
  if (!isObject(value)) throw bad(here, 'object_attribute must be an object {field, operator, value, type_id}');
  const { field, operator, type_id: typeId } = value;
  if (typeof field !== 'string' || field === '') throw bad(`${here}/field`, 'field must be a non-empty string');
  if (operator !== 'eq' && operator !== 'exists') throw bad(`${here}/operator`, 'operator must be eq or exists');
  if (typeId === undefined || typeId === null || typeId === '') throw bad(`${here}/type_id`, 'type_id is required');
  // A condition on another type than the one searched matches nothing.
  if (Number(typeId) !== type) return () => false;
  if (operator === 'exists') return (j) => objects.attributes(type, j)[field] !== undefined;
  if (value.value === undefined || value.value === null || typeof value.value === 'object') throw bad(`${here}/value`, 'value is required with operator eq');
  const expected = String(value.value);
  return (j) => objects.attributes(type, j)[field] === expected;
}

function idTypeOf(query: URLSearchParams): string {
  const idType = query.get('id_type') ?? 'object_id';
  if (idType !== 'object_id' && idType !== 'cio_object_id') throw new ApiError(400, 'id_type must be object_id or cio_object_id', { parameter: 'id_type' });
  return idType;
}

function findObject(objects: Objects, params: Record<string, string>, query: URLSearchParams) {
  const type = objects.type(params.type_id);
  const idType = idTypeOf(query);
  const ref = type < 0 ? null : objects.resolve(type, params.object_id, idType);
  if (!ref) throw notFound(`object ${params.object_id} of type ${params.type_id}`);
  return ref;
}

export function registerObjects(router: Router): void {
  router.add('POST', '/objects', (req, world) => {
    const objects = world.objects;
    const body = isObject(req.body) ? req.body : {};
    // Both are required (the docs): a search without them is a 400, not everything.
    if (body.object_type_id === undefined || body.object_type_id === null || body.object_type_id === '') {
      throw new ApiError(400, 'object_type_id is required', { pointer: '/object_type_id' });
    }
    if (!('filter' in body)) throw new ApiError(400, 'filter is required', { pointer: '/filter' });
    const type = objects.type(body.object_type_id);
    if (type < 0) throw notFound(`object type ${String(body.object_type_id)}`);
    const accept = compileObjectFilter(body.filter, '/filter', type, objects);
    const limit = intParam(req.query, 'limit', { default: 10, max: 1000 }); // [inferred] neither is documented
    const tag = `objects:${type}`;
    const offset = restartPastEnd(decodeToken(req.query.get('start'), tag), objects.perType);
    const page = scanAscending(objects.perType, offset, limit, accept, (j) => j);
    // Odd types repeat the previous page's last object at the top of the next ("duplicate entries across pages").
    let repeated: number[] = [];
    if (type % 2 === 1 && offset > 0) {
      for (let j = offset - 1; j >= 0; j--) {
        if (accept(j)) {
          repeated = [j];
          break;
        }
      }
    }
    const items = [...repeated, ...page.items];
    return {
      identifiers: items.map((j) => objects.identifiers(type, j)),
      ids: items.map((j) => objects.objectId(type, j)),
      next: nextToken(tag, page.nextOffset),
    };
  });

  router.add('GET', '/objects/:type_id/:object_id/attributes', (req, world) => {
    const { type, j } = findObject(world.objects, req.params, req.query);
    return world.objects.detail(type, j);
  });

  router.add('GET', '/objects/:type_id/:object_id/relationships', (req, world) => {
    const objects = world.objects;
    const { type, j } = findObject(objects, req.params, req.query);
    const people = objects.related(type, j);
    const limit = intParam(req.query, 'limit', { default: 10, max: 1000 }); // [inferred] neither is documented
    const tag = `objects:${type}:${j}:relationships`;
    const offset = restartPastEnd(decodeToken(req.query.get('start'), tag), people.length);
    const page = scanAscending(people.length, offset, limit, () => true, (n) => objects.relationship(type, j, people[n]));
    return { cio_relationships: page.items, next: nextToken(tag, page.nextOffset) };
  });
}
