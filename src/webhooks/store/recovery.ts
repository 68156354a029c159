/**
 * Opening a store after whatever happened to the process before: its identity (made on first use), its segments in
 * order, and the last segment scanned to its last whole line — what follows (a write a crash interrupted) is cut off
 * and the file synced, so the committed end is where whole events end. Closed segments were whole when the next one
 * began; of them only the last event is read (when it was stored: retention by age), not the whole file.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import { scanLines, type Files, type Handle } from './files.js';
import { decodeLine, FORMAT_VERSION, segmentStart, STORE_FILE, type StoreIdentity } from './format.js';
import type { Segment } from './range.js';

/**
 * The longest line a store can hold: a body at the 64 MiB maximum of max_body_bytes, every byte a control character
 * JSON escapes in 6 (\u0000), plus the line's own fields. A longer "line" is corruption.
 */
export const MAX_LINE = 6 * (64 << 20) + (1 << 20);

export interface SegmentInfo extends Segment {
  /** When its newest event was stored (unix ms); undefined while it holds none (or it cannot be read). */
  lastAt?: number;
  /** When its oldest event was stored (unix ms): known for the segment being written. */
  firstAt?: number;
}

export interface Recovered {
  storeId: string;
  segments: SegmentInfo[];
  /** The committed end: where the last whole event of the last segment ends. */
  end: number;
  /** The last segment, open for writing. */
  active?: Handle;
}

export async function recover(dir: string, files: Files, clock: Clock, maxLine: number, log?: (message: string) => void): Promise<Recovered> {
  await files.mkdir(dir);
  const identity = await loadIdentity(files, dir, clock);
  const segments: SegmentInfo[] = (await files.list(dir))
    .map((name) => ({ name, start: segmentStart(name) }))
    .filter((s): s is SegmentInfo => s.start !== undefined)
    .sort((a, b) => a.start - b.start);
  let end = 0;
  let active: Handle | undefined;
  for (const [index, segment] of segments.entries()) {
    if (index < segments.length - 1) {
      segment.lastAt = await lastStoredAt(files, dir, segment, segments[index + 1].start - segment.start, maxLine, log);
      continue;
    }
    const handle = await files.open(join(dir, segment.name), 'write');
    const size = await handle.size();
    const reached = await scanLines(handle, 0, size, maxLine, (line, offset) => {
      const event = decodeLine(line.toString('utf8'), segment.start + offset);
      if (!event) return false;
      segment.firstAt ??= event.at;
      segment.lastAt = event.at;
      return true;
    });
    if (reached < size) {
      log?.(`recovery: cut ${size - reached} byte(s) after the last whole event of ${segment.name} (a write the crash interrupted)`);
      await handle.truncate(reached);
      await handle.datasync();
    }
    end = segment.start + reached;
    active = handle;
  }
  return { storeId: identity.store_id, segments, end, active };
}

/** When the last event of a closed segment `length` bytes long was stored, read from the segment's end backwards. */
async function lastStoredAt(files: Files, dir: string, segment: Segment, length: number, maxLine: number, log?: (message: string) => void): Promise<number | undefined> {
  if (length === 0) return undefined;
  const handle = await files.open(join(dir, segment.name), 'read');
  try {
    // The line before the final newline: read back in growing chunks until the newline before it shows up.
    for (let back = 64 * 1024; ; back *= 4) {
      const from = Math.max(0, length - back);
      const buffer = Buffer.alloc(length - from);
      const read = await handle.read(buffer, 0, buffer.length, from);
      const text = buffer.subarray(0, read);
      const previous = text.lastIndexOf(10, text.length - 2);
      if (previous !== -1 || from === 0) {
        const start = previous + 1;
        const event = decodeLine(text.subarray(start, text.length - 1).toString('utf8'), segment.start + from + start);
        if (!event) log?.(`recovery: the last event of ${segment.name} cannot be read; retention by age will not drop it`);
        return event?.at;
      }
      if (back > maxLine) return undefined;
    }
  } finally {
    await handle.close();
  }
}

/** The store's identity, made on first use: the id that tells a reader its positions belong to this store. */
async function loadIdentity(files: Files, dir: string, clock: Clock): Promise<StoreIdentity> {
  const path = join(dir, STORE_FILE);
  let text: string | undefined;
  try {
    text = await files.readText(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined) {
    const identity: StoreIdentity = { store_id: randomUUID(), format: FORMAT_VERSION, created_at: clock() };
    await files.writeAtomic(path, `${JSON.stringify(identity)}\n`);
    return identity;
  }
  const identity = JSON.parse(text) as StoreIdentity;
  if (typeof identity?.store_id !== 'string' || identity.format !== FORMAT_VERSION) throw new Error(`${path} is not a store of this receiver (format ${FORMAT_VERSION})`);
  return identity;
}
