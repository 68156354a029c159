/**
 * How much of the machine `sync`'s DuckDB may take. DuckDB's defaults are 80 % of the memory it sees (a
 * container's limit, where the cgroup says it) and a thread per core. By default sync starts DuckDB at 128MB and
 * two threads: each thread holds its own working memory, the read beside it needs no more, and DuckDB's buffer
 * pool left at 80 % keeps the load table's blocks cached and checkpoints in large steps (a million activities
 * peaked at 462 MB RSS under DuckDB's limit, 387-404 MB under 128MB; BENCHMARKS.md part 8). The default is soft:
 * a table of hundreds of columns needs a 256 KiB block per column in every table a batch goes through, more
 * than 128MB, and a sync that fails for memory is worse than a larger one, so a batch that runs out of memory
 * under the default is retried once under DuckDB's own limit (warehouse.ts). An operator's
 * CIO_SYNC_MEMORY_LIMIT (DuckDB's form: 512MB, 2GB) is kept as given; CIO_SYNC_THREADS sets the threads.
 */
import { configError } from '../errors.js';

export const SYNC_MEMORY_LIMIT_ENV = 'CIO_SYNC_MEMORY_LIMIT';
export const SYNC_THREADS_ENV = 'CIO_SYNC_THREADS';

export const DEFAULT_THREADS = 2;
export const DEFAULT_MEMORY_LIMIT = '128MB';

export interface DuckDbLimits {
  /** DuckDB's memory_limit, e.g. `512MB`; undefined: DuckDB's own default. */
  memoryLimit?: string;
  threads: number;
  /** The memory limit is the default, not the operator's: lifted to DuckDB's own when a batch runs out of it. */
  soft?: boolean;
}

const SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$/i;

/** The limits from the environment, defaults where unset; a value DuckDB would not take is a config_error. */
export function duckDbLimits(env: NodeJS.ProcessEnv = process.env): DuckDbLimits {
  const memory = env[SYNC_MEMORY_LIMIT_ENV]?.trim();
  const threads = env[SYNC_THREADS_ENV]?.trim();
  if (memory && !SIZE.test(memory)) throw configError(`${SYNC_MEMORY_LIMIT_ENV}=${memory.slice(0, 40)} is not a size; give one like 256MB or 2GB`);
  if (threads && !/^[1-9]\d{0,3}$/.test(threads)) throw configError(`${SYNC_THREADS_ENV}=${threads.slice(0, 40)} is not a number of threads; give a whole number from 1`);
  const memoryLimit = memory ? { memoryLimit: memory.replace(/\s+/g, '').toUpperCase() } : { memoryLimit: DEFAULT_MEMORY_LIMIT, soft: true };
  return { ...memoryLimit, threads: threads ? Number(threads) : DEFAULT_THREADS };
}

/** The limits as DuckDB's open options. */
export const duckDbOptions = (limits: DuckDbLimits): Record<string, string> => ({
  ...(limits.memoryLimit ? { memory_limit: limits.memoryLimit } : {}),
  threads: String(limits.threads),
});
