/**
 * The file operations the store uses, behind one small interface so a test can make any of them fail the way a
 * full or broken disk does (ENOSPC on a write, EIO on an fsync) without root or a real full disk. `nodeFiles` is the
 * real thing. Also the one loop that reads lines from a file between two offsets (scanLines).
 */
import { constants, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Handle {
  /** Writes every buffer at `position`, in order; resolves with the bytes written. */
  writev(buffers: Buffer[], position: number): Promise<number>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface Files {
  /** `create`: a new file that must not exist yet (a segment); `write`: an existing file, read and written; `read`: read only. */
  open(path: string, mode: 'create' | 'write' | 'read'): Promise<Handle>;
  list(dir: string): Promise<string[]>;
  remove(path: string): Promise<void>;
  /** Makes the folder's entries durable (a new or removed file survives a power cut). */
  syncDir(dir: string): Promise<void>;
  readText(path: string): Promise<string>;
  /** Writes a small file whole or not at all: a temporary file, fsync'd, renamed over the old one, folder fsync'd. */
  writeAtomic(path: string, text: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
}

const MODES = { create: constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, write: constants.O_RDWR, read: constants.O_RDONLY };

function wrap(handle: fs.FileHandle): Handle {
  return {
    writev: async (buffers, position) => (await handle.writev(buffers, position)).bytesWritten,
    read: async (buffer, offset, length, position) => (await handle.read(buffer, offset, length, position)).bytesRead,
    datasync: () => handle.datasync(),
    truncate: (length) => handle.truncate(length),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
}

export const nodeFiles: Files = {
  // 0o640: the store holds message content (addresses, subjects, whole emails): not for other users of the machine.
  open: async (path, mode) => wrap(await fs.open(path, MODES[mode], 0o640)),
  list: (dir) => fs.readdir(dir),
  remove: (path) => fs.unlink(path),
  syncDir: async (dir) => {
    const handle = await fs.open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  readText: (path) => fs.readFile(path, 'utf8'),
  writeAtomic: async (path, text) => {
    const temporary = join(dirname(path), `.${Date.now()}-${process.pid}.tmp`);
    const handle = await fs.open(temporary, 'w', 0o640);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
    await nodeFiles.syncDir(dirname(path));
  },
  mkdir: async (dir) => {
    await fs.mkdir(dir, { recursive: true, mode: 0o750 });
  },
};

/** Bytes read from a file at a time. */
const CHUNK = 1 << 20;

/**
 * Reads the lines of `handle` from `from` (the start of a line) up to `to`, handing each to `visit` with its start
 * offset (without its newline). Stops before a line `visit` answers false to (it is not taken), at `to`, or at the end
 * of the file. A line longer than `maxLine` bytes is not a line of this store: scanning stops before it. Resolves
 * with the offset after the last line taken.
 */
export async function scanLines(handle: Handle, from: number, to: number, maxLine: number, visit: (line: Buffer, offset: number) => boolean): Promise<number> {
  let position = from;
  let lineStart = from;
  let carry: Buffer = Buffer.alloc(0);
  while (position < to) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, to - position));
    const read = await handle.read(buffer, 0, buffer.length, position);
    if (read === 0) break;
    position += read;
    let data = carry.length ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
    let start = 0;
    for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
      const line = data.subarray(start, newline);
      if (!visit(line, lineStart)) return lineStart;
      lineStart += line.length + 1;
      start = newline + 1;
    }
    data = data.subarray(start);
    if (data.length > maxLine) return lineStart;
    // Copied: `data` may be a view of a chunk buffer that is not kept.
    carry = Buffer.from(data);
  }
  return lineStart;
}
