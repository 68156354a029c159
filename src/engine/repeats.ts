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
import { createHash } from 'node:crypto';
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

/**
 * A page the API gives again within one pass: the first page's records, in the same order. Tokens are positional;
 * GET /v1/messages answers a token past the list's end (the list shrank while it was read) with its first page
 * again, and that page's `next`, so the pass would print the same records over and over. The page loop checks each
 * page here before printing it (pages.ts). Only the first page is compared: a restart gives that one, whereas a
 * list read newest first while records arrive may give a later page the very records of the page before it (as
 * many arrived as a page holds), which is no loop and loses nothing. A digest of the first page's keys is kept.
 */
export class RepeatedPages {
  private first?: string;

  constructor(private readonly primaryKey: string[][]) {}

  /** 0 when the page holds the pass's first page again (the same records, in the same order), else undefined. */
  earlier(page: number, records: Record_[]): number | undefined {
    if (records.length === 0) return undefined;
    const keys = records.map((record) => primaryKeyOf(this.primaryKey, record) ?? '');
    // Records without keys cannot be told apart: such a page says nothing.
    if (keys.every((key) => key === '')) return undefined;
    const digest = createHash('sha1').update(keys.join('\n')).digest('base64');
    if (page === 0 || this.first === undefined) {
      if (page === 0) this.first = digest;
      return undefined;
    }
    return digest === this.first ? 0 : undefined;
  }
}
