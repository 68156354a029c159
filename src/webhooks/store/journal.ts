/**
 * The receiver's journal: events appended to segment files, durable before anyone is told so.
 *
 * - Group commit: appends queue while a write is in flight; the next batch is every queued event, written with one
 *   writev and made durable with one fdatasync. So an fsync costs one wait per batch, not per event, and throughput
 *   holds under load while each event still waits for its own bytes to be on disk.
 * - The committed end moves only after that fdatasync succeeded; readers (range.ts) never read past it. A batch that
 *   fails (ENOSPC, EIO, a failed fsync) rejects every event in it — the HTTP layer answers 503 — and the bytes written
 *   after the committed end are cut off (and overwritten by the next batch in any case: it writes at the committed end).
 * - Recovery (open, recovery.ts): the last segment is scanned and what follows its last whole line (a torn write) is cut.
 *   A whole line written before a crash but never acknowledged is kept: its sender was told nothing (or 503) and
 *   will send it again, and the retry is then answered 2xx as a duplicate, without storing it twice.
 * - Segments roll at `segmentBytes` or once their first event is `segmentSeconds` old; retention drops whole closed
 *   segments by age and by total size, oldest first. The oldest kept segment's start is the first position a reader
 *   can resume after: a reader behind it has been outrun (range.ts: gone).
 */
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import { storeError, StoreError } from './errors.js';
import { nodeFiles, scanLines, type Files, type Handle } from './files.js';
import { committedText, decodeLine, encodeLine, segmentName, COMMITTED_FILE, type NewEvent, type StoredEvent } from './format.js';
import { readAfter, type Page, type PageLimits } from './range.js';
import { MAX_LINE, recover, type SegmentInfo } from './recovery.js';

export { storeError, StoreError };

export interface JournalOptions {
  files?: Files;
  /** Unix ms: when events are stored, and what retention by age compares with. */
  clock?: Clock;
  /** A segment is closed once it holds this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** …or once its first event is this old (default 1 hour: the grain of retention by age). */
  segmentSeconds?: number;
  /** Events older than this are dropped, a whole segment at a time (undefined: kept whatever their age). */
  retentionSeconds?: number;
  /** The oldest segments are dropped while the store holds more than this (undefined: no limit). */
  retentionBytes?: number;
  /** The longest line the store accepts to read back (default MAX_LINE). */
  maxLine?: number;
  /** Hears how long each fdatasync took (seconds) and how many events its batch held. */
  onCommit?: (seconds: number, events: number) => void;
  log?: (message: string) => void;
}

interface Pending {
  event: NewEvent;
  resolve: (end: number) => void;
  reject: (error: StoreError) => void;
}


/** A batch never holds more than this many bytes (beyond its first event): one writev of bounded size. */
const MAX_BATCH_BYTES = 16 << 20;

export class Journal {
  private readonly files: Files;
  private readonly clock: Clock;
  private readonly segments: SegmentInfo[];
  private active?: Handle;
  /** The committed file, kept open: rewritten after every batch. */
  private committedFile?: Handle;
  private end: number;
  private queue: Pending[] = [];
  private writing = false;
  private closed = false;
  /** Set while the store fails (cleared by the next batch that succeeds). */
  private failure?: { reason: string; since: number };

  private constructor(
    readonly dir: string,
    readonly storeId: string,
    segments: SegmentInfo[],
    end: number,
    active: Handle | undefined,
    private readonly options: JournalOptions,
  ) {
    this.files = options.files ?? nodeFiles;
    this.clock = options.clock ?? Date.now;
    this.segments = segments;
    this.end = end;
    this.active = active;
  }

  /** Opens the store in `dir` (made when missing), recovering from a crash: a torn last line is cut off. */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    const { storeId, segments, end, active } = await recover(dir, options.files ?? nodeFiles, options.clock ?? Date.now, options.maxLine ?? MAX_LINE, options.log);
    const journal = new Journal(dir, storeId, segments, end, active, options);
    await journal.writeCommitted();
    return journal;
  }

  /** The oldest position a reader can read after (the oldest kept segment's start). */
  get first(): number {
    return this.segments.length ? this.segments[0].start : this.end;
  }

  /** The committed end: every event before it is durable, none after it is visible. */
  get committed(): number {
    return this.end;
  }

  /** Bytes the store's segments hold. */
  get bytes(): number {
    return this.end - this.first;
  }

  /** Why the last batch failed, while the store fails. */
  get failing(): { reason: string; since: number } | undefined {
    return this.failure;
  }

  /** Stores one event; resolves with its position (where it ends) once it is durable. Rejects with a StoreError. */
  append(event: NewEvent): Promise<number> {
    if (this.closed) return Promise.reject(new StoreError('the receiver is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      void this.drain();
    });
  }

  /** One page of the events after `after`, never past the committed end (a clean prefix, however fast events come). */
  read(after: number, limits: Omit<PageLimits, 'maxLine'>, end = this.end): Promise<Page> {
    return readAfter(this.files, this.dir, this.segments, Math.min(end, this.end), after, { ...limits, maxLine: this.options.maxLine ?? MAX_LINE });
  }

  /** The event ids of (at least) the newest `count` events, oldest first: what the duplicate index is rebuilt from. */
  async newestIds(count: number): Promise<string[]> {
    const chunks: string[][] = [];
    let total = 0;
    for (let index = this.segments.length - 1; index >= 0 && total < count; index--) {
      const segment = this.segments[index];
      const stop = index + 1 < this.segments.length ? this.segments[index + 1].start : this.end;
      const ids: string[] = [];
      const handle = await this.files.open(join(this.dir, segment.name), 'read');
      try {
        await scanLines(handle, 0, stop - segment.start, this.options.maxLine ?? MAX_LINE, (line, offset) => {
          const event = decodeLine(line.toString('utf8'), segment.start + offset);
          if (event) ids.push(event.id);
          return event !== undefined;
        });
      } finally {
        await handle.close();
      }
      chunks.unshift(ids);
      total += ids.length;
    }
    return chunks.flat().slice(-count);
  }

  /** Drops closed segments past the retention limits, oldest first; resolves with the bytes dropped. */
  async enforceRetention(): Promise<number> {
    const { retentionSeconds, retentionBytes } = this.options;
    const now = this.clock();
    let dropped = 0;
    // Never the segment being written (the last one).
    while (this.segments.length > 1) {
      const [oldest, next] = this.segments;
      const tooOld = retentionSeconds !== undefined && oldest.lastAt !== undefined && oldest.lastAt < now - retentionSeconds * 1000;
      const tooBig = retentionBytes !== undefined && this.end - oldest.start > retentionBytes;
      // An empty segment (a batch that failed right after it was made) holds nothing to keep.
      const empty = next.start === oldest.start;
      if (!tooOld && !tooBig && !empty) break;
      await this.files.remove(join(this.dir, oldest.name));
      this.segments.shift();
      dropped += next.start - oldest.start;
      if (!empty) this.options.log?.(`retention: dropped ${oldest.name} (${next.start - oldest.start} bytes, ${tooOld ? 'older than the retention age' : 'over the retention size'})`);
    }
    if (dropped) await this.files.syncDir(this.dir).catch(() => undefined);
    return dropped;
  }

  /** Stops taking events, waits for the batch in flight, and closes the segment. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const pending of this.queue.splice(0)) pending.reject(new StoreError('the receiver is shutting down'));
    await this.active?.close();
    await this.committedFile?.close();
    this.active = undefined;
    this.committedFile = undefined;
  }

  /** Writes batches while events wait; one at a time (the group commit). */
  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length) {
        let bytes = 0;
        let take = 0;
        while (take < this.queue.length) {
          const { event } = this.queue[take];
          const size = (event.b ?? event.b64 ?? '').length + 200;
          if (take > 0 && bytes + size > MAX_BATCH_BYTES) break;
          bytes += size;
          take++;
        }
        await this.commit(this.queue.splice(0, take));
      }
    } finally {
      this.writing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const ends: number[] = [];
    try {
      const handle = await this.segmentFor();
      const start = this.segments[this.segments.length - 1].start;
      let offset = this.end;
      const lines = batch.map(({ event }) => {
        const line = encodeLine(event, offset);
        offset += line.length;
        ends.push(offset);
        return line;
      });
      const written = await handle.writev(lines, this.end - start);
      if (written !== offset - this.end) throw Object.assign(new Error(`wrote ${written} of ${offset - this.end} bytes`), { code: 'ENOSPC' });
      const began = performance.now();
      await handle.datasync();
      this.options.onCommit?.((performance.now() - began) / 1000, batch.length);
      const segment = this.segments[this.segments.length - 1];
      segment.firstAt ??= batch[0].event.at;
      segment.lastAt = batch[batch.length - 1].event.at;
      this.end = offset;
      this.failure = undefined;
    } catch (error) {
      const failure = storeError(error);
      this.failure = { reason: failure.message, since: this.clock() };
      // Nothing of the batch counts as stored: cut what may have reached the file (the next batch overwrites it anyway).
      const segment = this.segments[this.segments.length - 1];
      if (this.active && segment) await this.active.truncate(this.end - segment.start).catch(() => undefined);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    // For readers of the folder (the connector's store_folders): how far the journal is durable. Not fsync'd: a crash
    // may leave it behind the journal, never ahead of it, and recovery rewrites it.
    await this.writeCommitted().catch(() => undefined);
    batch.forEach((pending, i) => pending.resolve(ends[i]));
  }

  /** The segment to write into: the last one, or a new one when it is full, old, or there is none. */
  private async segmentFor(): Promise<Handle> {
    const last = this.segments[this.segments.length - 1];
    const now = this.clock();
    const full = last && this.end - last.start >= (this.options.segmentBytes ?? 64 << 20);
    const old = last?.firstAt !== undefined && now - last.firstAt >= (this.options.segmentSeconds ?? 3600) * 1000;
    if (this.active && last && !full && !old) return this.active;
    if (this.active && last) {
      // A failed batch may have left bytes after the end: the closed segment must hold events only.
      await this.active.truncate(this.end - last.start);
      await this.active.close();
      this.active = undefined;
    }
    const name = segmentName(this.end);
    const path = join(this.dir, name);
    let handle: Handle;
    try {
      handle = await this.files.open(path, 'create');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Made by a batch that failed right after: it starts at the committed end, so it holds nothing committed.
      handle = await this.files.open(path, 'write');
      await handle.truncate(0);
    }
    try {
      // The new file's name must survive a crash before any event in it is acknowledged.
      await this.files.syncDir(this.dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.segments.push({ name, start: this.end });
    this.active = handle;
    return handle;
  }

  private async writeCommitted(): Promise<void> {
    if (!this.committedFile) {
      const path = join(this.dir, COMMITTED_FILE);
      // Made whole once (a reader must never find it half written), then rewritten in place: same width every time.
      await this.files.writeAtomic(path, committedText(this.end));
      this.committedFile = await this.files.open(path, 'write');
      return;
    }
    await this.committedFile.writev([Buffer.from(committedText(this.end))], 0);
  }
}

export type { StoredEvent };
