/**
 * How a person is named across the API (customers, activities, deliveries): `{id, email, cio_id}`, where
 * ids may arrive as numbers and `id` as `""` for people without one. One normaliser so every stream shows
 * the same identifiers the same way.
 */
import { hasOwn } from '../engine/own.js';
import type { JsonObject } from '../protocol/messages.js';

/** A string id: numbers coerced (the API sends both), `""` and missing values as null. */
export function idString(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  return null;
}

/** `{id, email, cio_id}` with string values (other keys kept), or null when the API gave no object. */
export function identifiersOf(value: unknown): JsonObject | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const source = value as JsonObject;
  return { ...source, id: idString(source.id), email: idString(source.email), cio_id: idString(source.cio_id) };
}

/**
 * The attributes to keep: all of them when `names` is empty (customer_attributes not set), else those of `names` the
 * person has; null when the API gave no object. The API way and the export way keep the same.
 */
export function pickAttributes(attributes: unknown, names: string[]): JsonObject | null {
  if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) return null;
  if (names.length === 0) return attributes as JsonObject;
  const source = attributes as JsonObject;
  // Own attributes only: `__proto__` or `toString` the person lacks must not be invented from Object.prototype.
  return Object.fromEntries(names.filter((name) => hasOwn(source, name)).map((name) => [name, source[name]]));
}
