/**
 * What one pass over one partition has already emitted, for lists the API documents as repeating entries across
 * pages (objects, object relationships: "it's possible that you'll see duplicate entries across pages"). A
 * duplicate costs a row and, for objects, a second attributes request; this drops it before either.
 *
 * The engine builds a fresh Partition object for every pass (each stream's read, and each parent-list read), so the
 * set is keyed by that object and lives as long as the pass does. Memory grows with the distinct keys of one
 * partition: about 100 bytes each, 100 MB for a million objects of one type.
 */
import type { Partition } from '../engine/types.js';

const seenByPass = new WeakMap<Partition, Set<string>>();

/** True the first time `key` is offered in this partition's pass, false on every later offer. */
export function firstInPass(partition: Partition, key: string): boolean {
  let seen = seenByPass.get(partition);
  if (!seen) {
    seen = new Set();
    seenByPass.set(partition, seen);
  }
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}
