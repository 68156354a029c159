/**
 * Records the API lists again on a later page of the same pass (StreamDefinition.dedupeInPass): the objects search
 * and an object's relationships are documented to ("it's possible that you'll see duplicate entries across pages").
 * A repeat costs a duplicate row and, for objects, a second attributes request; the page loop drops it before either.
 *
 * One PassRepeats lives as long as one pass of the page loop (a partition, or one window of it) and holds the key of
 * every record the pass gave: about 100 bytes each, so memory grows with the distinct records of one pass — 1,000
 * objects of a type ~100 KB, a million ~100 MB. The streams that declare it list objects of one type, or the people
 * of one object; a stream whose passes can hold millions of records should not.
 */
import { valueAt } from './conform.js';
import type { Record_ } from './types.js';

/** A record's primary key as text, or undefined when a part of it is missing (such a record cannot be told apart). */
export function primaryKeyOf(primaryKey: string[][], record: Record_): string | undefined {
  const values = primaryKey.map((path) => valueAt(record, path));
  return values.some((value) => value === undefined || value === null) ? undefined : JSON.stringify(values.map(String));
}

export class PassRepeats {
  private readonly seen = new Set<string>();

  constructor(private readonly primaryKey: string[][]) {}

  /** The records of a page the pass has not given before, in order (a record without its whole key is always kept). */
  firstTimes(records: Record_[]): Record_[] {
    return records.filter((record) => {
      const key = primaryKeyOf(this.primaryKey, record);
      if (key === undefined) return true;
      if (this.seen.has(key)) return false;
      this.seen.add(key);
      return true;
    });
  }
}
