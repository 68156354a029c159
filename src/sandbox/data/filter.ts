/**
 * The audience filter of `POST /v1/customers`: validated like the API does (400 with a JSON pointer
 * at the first bad node), then compiled into a predicate on a person's index. Grammar: exactly one of
 * and:[…], or:[…], not:{…}, segment:{id:int}, attribute:{field, operator: eq|exists, value?}.
 */
import { ApiError } from '../http.js';
import type { Catalog } from './catalog.js';
import type { People } from './people.js';

export type PersonPredicate = (person: number) => boolean;

const KEYS = ['and', 'or', 'not', 'segment', 'attribute'];

function bad(pointer: string, detail: string): ApiError {
  return new ApiError(400, `invalid filter: ${detail}`, { pointer });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Compile the request body's `filter` (throws the API's 400 on a malformed one). */
export function compileFilter(body: unknown, people: People, catalog: Catalog): PersonPredicate {
  if (!isObject(body) || !('filter' in body)) throw bad('/filter', 'the body must be an object with a "filter"');
  return compileNode(body.filter, '/filter', people, catalog);
}

/** One filter node (exports take it under `filters`), 400s pointing below `at`. */
export function compileNode(node: unknown, at: string, people: People, catalog: Catalog): PersonPredicate {
  if (!isObject(node)) throw bad(at, 'expected an object with exactly one of and, or, not, segment, attribute');
  const keys = Object.keys(node);
  if (keys.length !== 1 || !KEYS.includes(keys[0])) {
    throw bad(at, `expected exactly one of and, or, not, segment, attribute; found ${keys.length ? keys.join(', ') : 'nothing'}`);
  }
  const key = keys[0];
  const value = node[key];
  const here = `${at}/${key}`;
  switch (key) {
    case 'and':
    case 'or': {
      if (!Array.isArray(value) || value.length === 0) throw bad(here, `${key} must be a non-empty array`);
      const parts = value.map((child, i) => compileNode(child, `${here}/${i}`, people, catalog));
      return key === 'and' ? (p) => parts.every((f) => f(p)) : (p) => parts.some((f) => f(p));
    }
    case 'not': {
      const inner = compileNode(value, here, people, catalog);
      return (p) => !inner(p);
    }
    case 'segment': {
      if (!isObject(value) || !Number.isInteger(value.id)) throw bad(`${here}/id`, 'segment.id must be an integer');
      const j = catalog.segments.find(value.id as number);
      return j < 0 ? () => false : (p) => catalog.isMember(j, p);
    }
    default:
      return compileAttribute(value, here, people);
  }
}

function compileAttribute(value: unknown, at: string, people: People): PersonPredicate {
  if (!isObject(value)) throw bad(at, 'attribute must be an object {field, operator, value}');
  const { field, operator } = value;
  if (typeof field !== 'string' || field === '') throw bad(`${at}/field`, 'field must be a non-empty string');
  if (operator !== 'eq' && operator !== 'exists') throw bad(`${at}/operator`, 'operator must be eq or exists');
  if (operator === 'exists') {
    if (field === 'cio_id') return () => true; // everyone has one: the common "everyone" filter stays cheap
    return (p) => people.field(p, field) !== undefined;
  }
  if (value.value === undefined || value.value === null || typeof value.value === 'object') {
    throw bad(`${at}/value`, 'value is required with operator eq');
  }
  const expected = String(value.value);
  return (p) => people.field(p, field) === expected;
}
