/**
 * How list objects change over time, so incremental and delete-detecting reads can be tested
 * honestly. On each advance of the clock a deterministic share of every list kind (at least one
 * object) gets `updated` = the new time; on the first advance one object of each kind (never the
 * first) disappears. Everything is recomputed from the list of advance times, nothing is stored, but for the
 * objects a test deletes or edits on request (changes.ts: a list that changes between two pages of one read).
 */
import { hash, tagOf, unit } from '../hash.js';
import type { ChurnOptions } from '../types.js';

export interface ChurnKind {
  /** Kind name, hashed into every decision so kinds churn independently. */
  name: string;
  count: number;
  /** Never deleted on advance (Design Studio folders: deleting one deletes everything in it). */
  kept?: boolean;
}

export class Churn {
  private readonly updateShare: number;
  private readonly deletes: boolean;
  /** Objects deleted on request (changes.ts), by kind name. */
  private readonly deletedOnRequest = new Map<string, Set<number>>();
  /** Objects edited on request, by kind name: index → the time of the latest edit. */
  private readonly editedOnRequest = new Map<string, Map<number, number>>();

  constructor(
    private readonly seed: number,
    private readonly advances: readonly number[],
    opts: ChurnOptions = {},
  ) {
    this.updateShare = Math.min(1, Math.max(0, opts.updateShare ?? 0.25));
    this.deletes = opts.deleteOnAdvance ?? true;
  }

  /** The index that disappeared on the first advance, or -1. */
  deletedIndex(kind: ChurnKind): number {
    if (!this.deletes || kind.kept || this.advances.length === 0 || kind.count < 2) return -1;
    return 1 + (hash(this.seed, tagOf(kind.name), 0xdead) % (kind.count - 1));
  }

  isDeleted(kind: ChurnKind, index: number): boolean {
    return index === this.deletedIndex(kind) || this.deletedOnRequest.get(kind.name)?.has(index) === true;
  }

  /** Every deleted index of a kind, ascending: the first advance's and those deleted on request. */
  deletedIndexes(kind: ChurnKind): number[] {
    const out = new Set(this.deletedOnRequest.get(kind.name) ?? []);
    const first = this.deletedIndex(kind);
    if (first >= 0) out.add(first);
    return [...out].sort((a, b) => a - b);
  }

  /** Live indexes of a kind, ascending. */
  live(kind: ChurnKind): number[] {
    const out: number[] = [];
    for (let i = 0; i < kind.count; i++) if (!this.isDeleted(kind, i)) out.push(i);
    return out;
  }

  /** Deletes an object now, whatever the clock (a list that changes while it is read: changes.ts). */
  deleteNow(kind: ChurnKind, index: number): void {
    const set = this.deletedOnRequest.get(kind.name) ?? new Set<number>();
    set.add(index);
    this.deletedOnRequest.set(kind.name, set);
  }

  /** Edits an object now: its `updated` becomes `at` (never earlier than it was). */
  editNow(kind: ChurnKind, index: number, at: number): void {
    const edits = this.editedOnRequest.get(kind.name) ?? new Map<number, number>();
    edits.set(index, Math.max(at, edits.get(index) ?? at));
    this.editedOnRequest.set(kind.name, edits);
  }

  /** `base` moved to the time of the last advance that touched this object, or of its last edit on request. */
  updated(kind: ChurnKind, index: number, base: number): number {
    const tag = tagOf(kind.name);
    let updated = Math.max(base, this.editedOnRequest.get(kind.name)?.get(index) ?? base);
    for (let e = 0; e < this.advances.length; e++) {
      if (this.touched(kind, tag, index, e)) updated = Math.max(updated, this.advances[e]);
    }
    return updated;
  }

  private touched(kind: ChurnKind, tag: number, index: number, event: number): boolean {
    if (unit(hash(this.seed, tag, index, event)) < this.updateShare) return true;
    // At least one live object per kind moves on every advance.
    let forced = hash(this.seed, tag, event, 0xf0ce) % Math.max(1, kind.count);
    if (forced === this.deletedIndex(kind)) forced = (forced + 1) % kind.count;
    return index === forced;
  }
}
