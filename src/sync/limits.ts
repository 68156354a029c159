/**
 * How much of the machine `sync`'s DuckDB may take. DuckDB's defaults are 80 % of the memory it sees (a
 * container's limit, where the cgroup says it) and a thread per core. Threads are bounded to two by default:
 * each thread holds its own working memory, and the read beside it needs no more. The memory limit is left to
 * DuckDB unless an operator sets one: with 256MB (and once 64MB) a sync of a million activities failed here
 * with DuckDB's "Out of Memory Error" near its end, and a sync that fails for memory is worse than a larger one
 * (BENCHMARKS.md part 8 has the measured peaks). Operators set CIO_SYNC_MEMORY_LIMIT (DuckDB's form: 512MB, 2GB)
 * and CIO_SYNC_THREADS.
 */
import { configError } from '../errors.js';

export const SYNC_MEMORY_LIMIT_ENV = 'CIO_SYNC_MEMORY_LIMIT';
export const SYNC_THREADS_ENV = 'CIO_SYNC_THREADS';

export const DEFAULT_THREADS = 2;

export interface DuckDbLimits {
  /** DuckDB's memory_limit, e.g. `512MB`; undefined: DuckDB's own default. */
  memoryLimit?: string;
  threads: number;
}

const SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$/i;

/** The limits from the environment, defaults where unset; a value DuckDB would not take is a config_error. */
export function duckDbLimits(env: NodeJS.ProcessEnv = process.env): DuckDbLimits {
  const memory = env[SYNC_MEMORY_LIMIT_ENV]?.trim();
  const threads = env[SYNC_THREADS_ENV]?.trim();
  if (memory && !SIZE.test(memory)) throw configError(`${SYNC_MEMORY_LIMIT_ENV}=${memory.slice(0, 40)} is not a size; give one like 256MB or 2GB`);
  if (threads && !/^[1-9]\d{0,3}$/.test(threads)) throw configError(`${SYNC_THREADS_ENV}=${threads.slice(0, 40)} is not a number of threads; give a whole number from 1`);
  return { ...(memory ? { memoryLimit: memory.replace(/\s+/g, '').toUpperCase() } : {}), threads: threads ? Number(threads) : DEFAULT_THREADS };
}

/** The limits as DuckDB's open options. */
export const duckDbOptions = (limits: DuckDbLimits): Record<string, string> => ({
  ...(limits.memoryLimit ? { memory_limit: limits.memoryLimit } : {}),
  threads: String(limits.threads),
});
