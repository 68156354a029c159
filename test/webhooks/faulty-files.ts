/**
 * The store's real file operations with faults on demand: a write or an fsync that fails with the error a full or
 * broken disk gives (ENOSPC, EIO) while `fail` says so, and a count of fsyncs (to see the group commit).
 */
import { nodeFiles, type Files, type Handle } from '../../src/webhooks/store/files.js';

export interface Faults {
  /** The error code the next writes throw (after writing half of what they were given), or undefined. */
  write?: string;
  /** The error code the next fdatasyncs throw, or undefined. */
  sync?: string;
  /** The error code opening a new segment throws, or undefined. */
  create?: string;
  /** The error code making a folder's entries durable throws, or undefined. */
  syncDir?: string;
}

export function faultyFiles(faults: Faults, counts = { syncs: 0, writes: 0 }): Files & { counts: typeof counts } {
  const failure = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
  const wrap = (handle: Handle): Handle => ({
    ...handle,
    writev: async (buffers, position) => {
      counts.writes++;
      if (faults.write) {
        // A full disk takes part of a write before it refuses the rest.
        const all = Buffer.concat(buffers);
        await handle.writev([all.subarray(0, Math.floor(all.length / 2))], position);
        throw failure(faults.write);
      }
      return handle.writev(buffers, position);
    },
    datasync: async () => {
      counts.syncs++;
      if (faults.sync) throw failure(faults.sync);
      return handle.datasync();
    },
  });
  return {
    ...nodeFiles,
    counts,
    open: async (path, mode) => {
      if (mode === 'create' && faults.create) throw failure(faults.create);
      return wrap(await nodeFiles.open(path, mode));
    },
    syncDir: async (dir) => {
      if (faults.syncDir) throw failure(faults.syncDir);
      return nodeFiles.syncDir(dir);
    },
  };
}
