/**
 * A full-refresh list paged by position that shrinks while it is read (StreamDefinition.rereadWhenPaged): a member
 * removed from page 1 after page 1 was read moves the first member of page 2 onto page 1, and no page of the pass
 * shows it. Nothing in these answers (no total, opaque tokens) tells that it happened, so a pass of several pages is
 * read once more, and only the records the first pass did not give are handed on (a member it skipped now sits on an
 * earlier page). What is left is a record skipped by both passes: two removals, each at the right moment.
 *
 * PassKeys remembers which keys the first pass gave in 4 bytes each (a 32-bit hash of the key; a million members,
 * 4 MB), so a segment of millions fits. Two keys can share a hash: a skipped record whose hash equals one of n given
 * keys' is taken for given and still missed (n ÷ 2³² per skipped record: 1 in 4,300 for a million).
 */
import { primaryKeyOf } from './repeats.js';
import type { Record_ } from './types.js';

export class PassKeys {
  private hashes = new Uint32Array(1024);
  private count = 0;
  private sealed = false;
  /** Keys added after seal (the second pass's own), looked up as a set. */
  private readonly later = new Set<number>();

  constructor(private readonly primaryKey: string[][]) {}

  /** Remembers the keys of `records` (a record without its whole key is not remembered: it can never be told apart). */
  add(records: readonly Record_[]): void {
    for (const record of records) {
      const key = primaryKeyOf(this.primaryKey, record);
      if (key === undefined) continue;
      const hash = fnv1a(key);
      if (this.sealed) {
        this.later.add(hash);
        continue;
      }
      if (this.count === this.hashes.length) {
        const grown = new Uint32Array(this.hashes.length * 2);
        grown.set(this.hashes);
        this.hashes = grown;
      }
      this.hashes[this.count++] = hash;
    }
  }

  /** Ends the first pass: its keys are sorted for lookups; keys added afterwards are kept apart. */
  seal(): void {
    this.hashes = this.hashes.slice(0, this.count).sort();
    this.sealed = true;
  }

  /** Whether a record's key was remembered (false for a record without its whole key). */
  has(record: Record_): boolean {
    const key = primaryKeyOf(this.primaryKey, record);
    if (key === undefined) return false;
    const hash = fnv1a(key);
    if (this.later.has(hash)) return true;
    let low = 0;
    let high = this.sealed ? this.hashes.length - 1 : -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.hashes[middle];
      if (value === hash) return true;
      if (value < hash) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /**
   * Records whose key the passes have not given yet, each remembered as it is let through. A record without its whole
   * key is left out: the first pass handed it on already, if it was there.
   */
  unseen(records: readonly Record_[]): Record_[] {
    const out: Record_[] = [];
    for (const record of records) {
      if (primaryKeyOf(this.primaryKey, record) === undefined || this.has(record)) continue;
      out.push(record);
      this.add([record]);
    }
    return out;
  }
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
