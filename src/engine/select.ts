/**
 * Record selection: a JSONPath (jsonpath-plus) over a response body. The common `$.key[*]` form is
 * answered by a direct property read (it is the hot path of every page); `null` or a missing key is an
 * empty page, as the API sometimes answers `{"exports": null}`.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Record_ } from './types.js';

const SIMPLE = /^\$\.([A-Za-z_][A-Za-z0-9_]*)\[\*\]$/;

export type Selector = (body: unknown, onSkipped?: (count: number) => void) => Record_[];

const isRecord = (r: unknown): r is Record_ => r !== null && typeof r === 'object' && !Array.isArray(r);

/** Objects only: elements that are not (null, strings, lists) cannot be records; `onSkipped` hears how many were left out. */
function objectsOf(found: unknown[], onSkipped?: (count: number) => void): Record_[] {
  const records = found.filter(isRecord);
  if (records.length < found.length) onSkipped?.(found.length - records.length);
  return records;
}

export function compileSelector(path: string): Selector {
  const simple = SIMPLE.exec(path);
  if (simple) {
    const key = simple[1];
    return (body, onSkipped) => {
      const list = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
      return Array.isArray(list) ? objectsOf(list, onSkipped) : [];
    };
  }
  return (body, onSkipped) => {
    if (body === null || typeof body !== 'object') return [];
    const found = JSONPath({ path, json: body as object, wrap: true }) as unknown[];
    return objectsOf(found, onSkipped);
  };
}
