/**
 * Reading one receiver's log of events after a saved position, whichever way it is reached (its read API or its
 * store's folder: both are a LogReader), into batches of reporting_events records. The read takes the log's end
 * when it starts as its own end (events stored meanwhile are the next read's), and says what is wrong in words:
 *
 * - the log no longer holds the events after the saved position (retention outran the reader): a gap, which is data
 *   lost — the read fails, unless `acceptGaps`, then it goes on from the oldest event kept with a WARN;
 * - the log is another store than the one the saved position belongs to (a volume replaced, two URLs swapped): the
 *   position means nothing there — the read fails, unless `acceptGaps`, then it reads the new store from its start;
 * - the position is not one of the store's (a hand-edited state): the read fails.
 */
import { configError } from '../../errors.js';
import type { Record_ } from '../../engine/types.js';
import type { JsonObject } from '../../protocol/messages.js';
import { decodeLine } from '../../webhooks/store/format.js';
import { reportingEventRecord } from './record.js';

export interface LogPage {
  storeId: string;
  /** The oldest position the log keeps. */
  first: number;
  /** The log's committed end when it answered. */
  end: number;
  /** Where the page began (the position asked for, or `first`). */
  after: number;
  /** Where the page ends. */
  next: number;
  /** The page's journal lines, as stored. */
  lines: Buffer[];
}

/** A log cannot be read from a position; `storeId` names the store that said so, when known. */
export class LogPositionError extends Error {
  constructor(
    readonly kind: 'gone' | 'beyond' | 'misaligned',
    message: string,
    readonly storeId?: string,
    readonly first?: number,
  ) {
    super(message);
    this.name = 'LogPositionError';
  }
}

export interface LogReader {
  /** How the log is named in messages (a URL, a folder). */
  readonly name: string;
  /** One page after `after` (undefined: from the oldest kept), never past `until`. */
  page(after: number | undefined, until: number | undefined): Promise<LogPage>;
}

export const POSITION = 'position';
export const RECEIVER = 'receiver';

const ACCEPT = 'set reporting_events_accept_gaps to go on past it';

/** The records of one page, each checked to start where the one before it ended (a clean run of whole events). */
export function pageRecords(page: LogPage, name: string): Record_[] {
  const records: Record_[] = [];
  let at = page.after;
  for (const line of page.lines) {
    const stored = decodeLine(line.toString('utf8'), at);
    if (!stored) throw configError(`reporting_events: ${name} answered a page that is not a run of whole events at position ${at} (a proxy changing bodies?)`);
    at += line.length + 1;
    records.push(reportingEventRecord(stored, at, page.storeId));
  }
  if (at !== page.next) throw configError(`reporting_events: ${name} answered a page ending at ${page.next}, but its events end at ${at}`);
  return records;
}

export async function* logBatches(reader: LogReader, resume: JsonObject | undefined, acceptGaps: boolean, warn: (message: string) => void): AsyncGenerator<Record_[]> {
  const saved = typeof resume?.[RECEIVER] === 'string' ? (resume[RECEIVER] as string) : undefined;
  let after = typeof resume?.[POSITION] === 'number' ? (resume[POSITION] as number) : undefined;
  let until: number | undefined;
  /** Whether `after` is still the saved position (of the saved store). */
  let fromSaved = after !== undefined;
  for (;;) {
    let page: LogPage;
    try {
      page = await reader.page(after, until);
    } catch (error) {
      if (!(error instanceof LogPositionError)) throw error;
      if (fromSaved && saved && error.storeId && error.storeId !== saved) {
        after = replaced(reader.name, saved, error.storeId, after!, acceptGaps, warn);
        fromSaved = false;
        continue;
      }
      if (error.kind === 'gone' && error.first !== undefined) {
        const message = `${reader.name} no longer keeps the events after position ${after} (its oldest is at ${error.first}): its retention dropped events this connector never read`;
        if (!acceptGaps) throw configError(`reporting_events: ${message}. Read more often than the receiver's retention (retention_days, retention_bytes), or ${ACCEPT} (the events in between are lost).`);
        warn(`${message}; going on from ${error.first} (reporting_events_accept_gaps)`);
        after = error.first;
        fromSaved = false;
        continue;
      }
      throw configError(`reporting_events: ${reader.name} cannot be read after the saved position ${after}: ${error.message}. Reset the stream's state to read the receiver from its start.`);
    }
    if (fromSaved && saved && page.storeId !== saved) {
      after = replaced(reader.name, saved, page.storeId, after!, acceptGaps, warn);
      fromSaved = false;
      continue;
    }
    fromSaved = false;
    until ??= page.end;
    const records = pageRecords(page, reader.name);
    if (records.length) yield records;
    if (page.lines.length === 0 || page.next >= until) return;
    after = page.next;
  }
}

/** The log is another store than the saved position's: fails, or (accepting gaps) reads it from its start. */
function replaced(name: string, saved: string, found: string, position: number, acceptGaps: boolean, warn: (message: string) => void): undefined {
  const message = `${name} now serves store ${found}, not store ${saved} that the saved position ${position} belongs to (its volume was replaced, or receivers' URLs were swapped): events store ${saved} held after that position and were not read are not there`;
  if (!acceptGaps) throw configError(`reporting_events: ${message}. Point the connector at the old store again, or ${ACCEPT} and read the new store from its start.`);
  warn(`${message}; reading store ${found} from its start (reporting_events_accept_gaps)`);
  return undefined;
}
