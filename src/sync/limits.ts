/**
 * How much of the machine `sync`'s DuckDB may take. DuckDB's defaults are 80 % of the machine's memory and a
 * thread per core: in a 512 MB container a sync of a million activities peaked at 557 MB and was killed. The
 * defaults bound DuckDB's own share (its buffers: tables being built, joins, windows; it spills to `<file>.tmp`
 * beyond the limit) and its threads to two. What a sync weighs beyond that is the read (~150 MB at a million
 * activities) and the working memory of each batch's typing step outside DuckDB's buffers (JSON parsed once per
 * column); BENCHMARKS.md part 8 has the measured peak. 256MB, not less: a batch of 20,000 wide records (large
 * attributes, newsletter contents) must still fit, since a sync that fails for memory is worse than a larger one.
 * Operators change them with CIO_SYNC_MEMORY_LIMIT (DuckDB's form: 512MB, 2GB) and CIO_SYNC_THREADS.
 */
import { configError } from '../errors.js';

export const SYNC_MEMORY_LIMIT_ENV = 'CIO_SYNC_MEMORY_LIMIT';
export const SYNC_THREADS_ENV = 'CIO_SYNC_THREADS';

export const DEFAULT_MEMORY_LIMIT = '256MB';
export const DEFAULT_THREADS = 2;

export interface DuckDbLimits {
  /** DuckDB's memory_limit, e.g. `128MB`. */
  memoryLimit: string;
  threads: number;
}

const SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$/i;

/** The limits from the environment, defaults where unset; a value DuckDB would not take is a config_error. */
export function duckDbLimits(env: NodeJS.ProcessEnv = process.env): DuckDbLimits {
  const memory = env[SYNC_MEMORY_LIMIT_ENV]?.trim();
  const threads = env[SYNC_THREADS_ENV]?.trim();
  if (memory && !SIZE.test(memory)) throw configError(`${SYNC_MEMORY_LIMIT_ENV}=${memory.slice(0, 40)} is not a size; give one like 256MB or 2GB`);
  if (threads && !/^[1-9]\d{0,3}$/.test(threads)) throw configError(`${SYNC_THREADS_ENV}=${threads.slice(0, 40)} is not a number of threads; give a whole number from 1`);
  return { memoryLimit: memory ? memory.replace(/\s+/g, '').toUpperCase() : DEFAULT_MEMORY_LIMIT, threads: threads ? Number(threads) : DEFAULT_THREADS };
}

/** The limits as DuckDB's open options. */
export const duckDbOptions = (limits: DuckDbLimits): Record<string, string> => ({
  memory_limit: limits.memoryLimit,
  threads: String(limits.threads),
  // DuckDB's advice for memory-bound loads: rows need not keep their arrival order (every read orders by what it needs).
  preserve_insertion_order: 'false',
});
