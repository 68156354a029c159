/**
 * Small record fixes several Customer.io streams share: ids that arrive as strings, child records that do
 * not name their parent, tag lists the API sometimes answers as a bare string. Pure functions, no I/O.
 */
import type { Record_, RecordContext } from '../../engine/types.js';
import type { JsonObject } from '../../protocol/messages.js';

/** `"13"` → `13`; anything else unchanged. The API sends some integer ids as strings: one type in the warehouse. */
export function toInteger(value: unknown): unknown {
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return value;
}

/** The record with each of `fields` it has made an integer where it is numeric text (toInteger). */
export function integersIn(record: Record_, fields: readonly string[]): Record_ {
  const out: Record_ = { ...record };
  for (const field of fields) if (field in out) out[field] = toInteger(out[field]);
  return out;
}

/**
 * A child record with its parent's id under `field` (kept when the API already sent it), and its own
 * `id` as an integer when it is a numeric string.
 */
export function withParentId(field: string) {
  return (record: Record_, ctx: RecordContext): Record_ => ({
    ...record,
    ...('id' in record ? { id: toInteger(record.id) } : {}),
    [field]: toInteger(record[field] ?? ctx.partition.parent?.id),
  });
}

/**
 * Tags as a list of strings. The API's own example answers `"tags": "nil"` for a broadcast without tags
 * (a Go nil printed as text), so a string is read as one tag, and "nil" or "" as none.
 */
export function tagList(value: unknown): unknown {
  if (Array.isArray(value) || value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return value === '' || value === 'nil' ? null : [value];
  return value;
}

/** An object the API sent, or null for anything else (a list, a bare value, nothing): one type per field. */
export function objectOrNull(value: unknown): JsonObject | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null;
}
