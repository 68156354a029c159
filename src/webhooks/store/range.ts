/**
 * "The events after position P": one page of whole journal lines read from a store's segments, in order, never past
 * the committed end the caller gives (so a reader sees a clean prefix of the journal however fast it is written).
 * Shared by the receiver's read API and by the connector reading a store's folder directly.
 */
import { join } from 'node:path';
import { scanLines, type Files } from './files.js';
import { linePrefix } from './format.js';

export interface Segment {
  start: number;
  /** File name inside the store's folder. */
  name: string;
}

export interface PageLimits {
  /** Most events a page holds. */
  events: number;
  /** About how many bytes a page holds (a page always holds at least one event, however large). */
  bytes: number;
  /** The longest line the store can hold (a bigger one is corruption). */
  maxLine: number;
}

export interface Page {
  /** Journal lines, without their newlines. */
  lines: Buffer[];
  /** Where the page ends: the position to read after next (P itself when the page is empty). */
  next: number;
}

/** Why a position cannot be read from. */
export class PositionError extends Error {
  constructor(
    readonly kind: 'gone' | 'beyond' | 'misaligned' | 'corrupt',
    message: string,
    readonly first?: number,
  ) {
    super(message);
    this.name = 'PositionError';
  }
}

/**
 * Reads the page after `after` from `segments` (oldest first, `first` the oldest's start) up to `end`. Throws a
 * PositionError when `after` is older than what is kept (gone: retention dropped it), past the end, or not where a
 * record ends.
 */
export async function readAfter(files: Files, dir: string, segments: readonly Segment[], end: number, after: number, limits: PageLimits): Promise<Page> {
  const first = segments.length ? segments[0].start : end;
  if (after < first) throw new PositionError('gone', `position ${after} is older than the oldest event kept (position ${first}): retention has dropped the events between`, first);
  if (after > end) throw new PositionError('beyond', `position ${after} is past the end of this store (${end}): it is not a position of this store`);
  const lines: Buffer[] = [];
  let bytes = 0;
  let at = after;
  let index = segments.length - 1;
  while (index > 0 && segments[index].start > after) index--;
  for (; index < segments.length && at < end; index++) {
    const segment = segments[index];
    const stop = Math.min(end, index + 1 < segments.length ? segments[index + 1].start : end);
    if (at >= stop) continue;
    let handle;
    try {
      handle = await files.open(join(dir, segment.name), 'read');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PositionError('gone', `the events at position ${at} were dropped by retention while they were read`);
      throw error;
    }
    let full = false;
    try {
      let expected = at;
      const reached = await scanLines(handle, at - segment.start, stop - segment.start, limits.maxLine, (line, offset) => {
        if (lines.length >= limits.events || (lines.length > 0 && bytes + line.length > limits.bytes)) {
          full = true;
          return false;
        }
        // Every line names its own start: anything else means `after` is not where a record ends.
        if (!line.subarray(0, 40).toString('latin1').startsWith(linePrefix(segment.start + offset))) {
          if (segment.start + offset === after) throw new PositionError('misaligned', `position ${after} is not where an event ends in this store`);
          throw new PositionError('corrupt', `the store's segment ${segment.name} holds something else than an event at position ${segment.start + offset}`);
        }
        lines.push(line);
        bytes += line.length + 1;
        expected = segment.start + offset + line.length + 1;
        return true;
      });
      at = segment.start + reached;
      if (!full && at < stop) throw new PositionError('corrupt', `the store's segment ${segment.name} ends at position ${at}, before ${stop} (expected ${expected})`);
    } finally {
      await handle.close();
    }
    if (full) break;
  }
  return { lines, next: at };
}
