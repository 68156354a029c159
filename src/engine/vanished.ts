/**
 * What a remembered key that a complete read did not see means (deletes.ts remembers, this decides).
 *
 * The API pages its lists by position (`start` tokens are offsets). When an item on page 1 is deleted after page 1 was
 * read, every later item moves up one place: the first item of page 2 lands on page 1, and no page of the pass shows
 * it. So a key missing from a pass of several pages may be a live item the pass skipped. Reporting it deleted would
 * delete it from the destination with a cursor of now, and no later read would print it again (its `updated` is older
 * than the cursor). A key missing from a pass of one page is gone: one answer is one look at the list [inferred: the
 * API documents nothing of it; each unpaged list is read on the same reading].
 *
 * So a key is deleted at once when its pass had one page, or its partition was not read at all (its parent is gone
 * from the parent list, or answered 404: its children went with it); otherwise it is looked up on its own (the
 * documented single-item GET, LookupSpec): a 404 is a deletion, an answer the live item, printed from it.
 *
 * A memory written before a stream remembered the partition of each key (campaign_actions kept action ids only) does
 * not say where to look: each partition read in several pages is tried, as long as that costs at most
 * LEGACY_LOOKUP_BUDGET requests; past it, such keys are reported deleted as they were before (once: the memory saved
 * after this read names every partition).
 */
import type { Remembered } from './deletes.js';

/** Most lookups a read spends on keys of a memory that does not name their partitions (see the header). */
export const LEGACY_LOOKUP_BUDGET = 100;

/** What to do with a vanished key: report it deleted, look it up in these partitions (in order), or keep it unreported. */
export type Verdict = { action: 'deleted' } | { action: 'lookup'; partitions: string[] } | { action: 'keep' };

export interface ReadShape {
  /** Whether the stream is read per partition (its keys' partitions matter); else its one pass is keyed ''. */
  partitioned: boolean;
  /** Pages each partition's pass fetched in this read; a partition absent was not read (its parent gone, or a 404). */
  pages: ReadonlyMap<string, number>;
  /** Whether the stream can look one item up (LookupSpec). */
  canLookUp: boolean;
}

/**
 * The verdict on each vanished key (in order). `partitionOf` names a key's partition, undefined when the memory does
 * not say. A key whose pass had several pages and that cannot be looked up is kept unreported: reporting it deleted
 * might delete a live item for good; keeping it costs a stale row until a read settles it.
 */
export function vanishedVerdicts(vanished: readonly Remembered[], shape: ReadShape, partitionOf: (item: Remembered['item']) => string | undefined): Verdict[] {
  const paged = (key: string) => (shape.pages.get(key) ?? 0) > 1;
  const multiPage = [...shape.pages.keys()].filter(paged);
  const unplaced = shape.partitioned ? vanished.filter((v) => partitionOf(v.item) === undefined).length : 0;
  const legacyAffordable = unplaced * multiPage.length <= LEGACY_LOOKUP_BUDGET;
  return vanished.map(({ item }): Verdict => {
    const partition = shape.partitioned ? partitionOf(item) : '';
    if (partition === undefined) {
      if (multiPage.length === 0) return { action: 'deleted' };
      if (!shape.canLookUp) return { action: 'keep' };
      return legacyAffordable ? { action: 'lookup', partitions: multiPage } : { action: 'deleted' };
    }
    if (!paged(partition)) return { action: 'deleted' };
    return shape.canLookUp ? { action: 'lookup', partitions: [partition] } : { action: 'keep' };
  });
}
