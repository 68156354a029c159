/**
 * Keys that come from outside (record fields, key paths, attribute names, state keys, config entries) are read
 * and written as own properties only. A plain `object[key]` reads `__proto__`, `constructor` or `toString` from
 * Object.prototype when the object lacks them (a key "present" that is not; an attribute invented as `{}`), and
 * `object[key] = value` with `__proto__` sets the object's prototype instead of a field (a key silently lost).
 */

/** Whether `value` is an object (or list) holding `key` itself. */
export function hasOwn(value: unknown, key: string): boolean {
  return value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key);
}

/** `value[key]` when `value` holds it itself, else undefined. */
export function ownValue(value: unknown, key: string): unknown {
  return hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** Sets `target[key]` as a plain field, whatever the key (`__proto__` included); returns `target`. */
export function setOwn<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  return target;
}
