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

/**
 * Sets `target[key]` as a plain field, whatever the key (`__proto__` included); returns `target`. Only
 * `__proto__` needs defineProperty (the one accessor on Object.prototype): a plain assignment of any other key,
 * `constructor` and `toString` included, makes an own field, and keeps the object in V8's fast mode, where
 * defineProperty on every attribute of a million exported people cost the export read a third of its CPU.
 */
export function setOwn<T extends object>(target: T, key: string, value: unknown): T {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
  return target;
}
