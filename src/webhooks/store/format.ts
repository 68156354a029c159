/**
 * The store's on-disk format: a folder holding `store.json` (its identity), `committed` (how far the journal is
 * durable, for readers of the folder) and segments `events-<start offset, 20 digits>.jsonl`, each a run of JSON lines,
 * one stored event a line. A position is a byte offset in the journal as if its segments were one file: a record
 * spans [o, o + its line's length), and its position (what a reader resumes after) is where it ends. Positions only
 * grow, a store never reuses one, and a reader can tell the start of a record from anything else: every line begins
 * with `{"o":<its own start>,`.
 *
 * Nothing a request brings is ever part of a path: segment names are made from numbers this process computed, and
 * readers only open names that match SEGMENT_NAME.
 */
import type { Flag } from '../body.js';

export const STORE_FILE = 'store.json';
export const COMMITTED_FILE = 'committed';
export const SEGMENT_NAME = /^events-(\d{20})\.jsonl$/;
export const FORMAT_VERSION = 1;

/** One stored event: a journal line. */
export interface StoredEvent {
  /** Where the line starts (its own offset). */
  o: number;
  /** When the receiver stored it, unix ms (the receiver's clock). */
  at: number;
  /** The x-cio-timestamp header it was signed with (unix seconds: when Customer.io sent it). */
  ts: number;
  /** Its event_id, or a key made from the body's hash (body.ts). */
  id: string;
  /** What is odd about it (body.ts); empty for a well-formed event of a known type. */
  f: Flag[];
  /** The body as text… */
  b?: string;
  /** …or as base64, when it was not UTF-8. */
  b64?: string;
  /** The whole body's size in bytes, when it was cut (flag too_large). */
  size?: number;
}

export type NewEvent = Omit<StoredEvent, 'o'>;

export function segmentName(start: number): string {
  return `events-${String(start).padStart(20, '0')}.jsonl`;
}

/** The start offset a segment's file name says, or undefined for a name that is not a segment's. */
export function segmentStart(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  const start = Number(match[1]);
  return Number.isSafeInteger(start) ? start : undefined;
}

/** The line of `event` starting at `offset`, newline included. */
export function encodeLine(event: NewEvent, offset: number): Buffer {
  return Buffer.from(`{"o":${offset},${JSON.stringify(event).slice(1)}\n`, 'utf8');
}

/** What every line starting at `offset` begins with: how a reader knows `offset` is the start of a record. */
export const linePrefix = (offset: number): string => `{"o":${offset},`;

/** A journal line (without its newline) read back, or undefined when it is not one written at `offset`. */
export function decodeLine(line: string, offset: number): StoredEvent | undefined {
  if (!line.startsWith(linePrefix(offset))) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  const e = event as StoredEvent;
  if (e === null || typeof e !== 'object' || e.o !== offset || typeof e.id !== 'string' || typeof e.at !== 'number' || !Array.isArray(e.f)) return undefined;
  return e;
}

/** The committed file's text: the committed end, fixed width so rewriting it in place never leaves a longer tail. */
export const committedText = (end: number): string => `${String(end).padStart(20, '0')}\n`;

export function parseCommitted(text: string): number | undefined {
  const match = /^(\d{1,20})\s*$/.exec(text);
  const end = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(end) ? end : undefined;
}

export interface StoreIdentity {
  store_id: string;
  format: number;
  created_at: number;
}
