/**
 * Record selection: a JSONPath (jsonpath-plus) over a response body. The common `$.key[*]` form is
 * answered by a direct property read (it is the hot path of every page); `null` or a missing key is an
 * empty page, as the API sometimes answers `{"exports": null}`.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Record_ } from './types.js';

const SIMPLE = /^\$\.([A-Za-z_][A-Za-z0-9_]*)\[\*\]$/;

export function compileSelector(path: string): (body: unknown) => Record_[] {
  const simple = SIMPLE.exec(path);
  if (simple) {
    const key = simple[1];
    return (body) => {
      const list = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
      return Array.isArray(list) ? (list.filter((r) => r && typeof r === 'object' && !Array.isArray(r)) as Record_[]) : [];
    };
  }
  return (body) => {
    if (body === null || typeof body !== 'object') return [];
    const found = JSONPath({ path, json: body as object, wrap: true }) as unknown[];
    return found.filter((r) => r && typeof r === 'object' && !Array.isArray(r)) as Record_[];
  };
}
