/**
 * Issue 26.8: sync's DuckDB is bounded by default (memory_limit and threads; DuckDB's own defaults are 80 % of
 * the machine and a thread per core), and operators change the bounds through the environment.
 */
import { join } from 'node:path';
import { DEFAULT_THREADS, duckDbLimits, duckDbOptions } from '../../src/sync/limits.js';
import { Warehouse } from '../../src/sync/warehouse.js';
import { ConnectorError } from '../../src/errors.js';
import { scratchDir } from '../helpers/scratch.js';

describe('duckDbLimits', () => {
  it.each<[Record<string, string>, { memoryLimit?: string; threads: number }]>([
    [{}, { threads: DEFAULT_THREADS }],
    [{ CIO_SYNC_MEMORY_LIMIT: '512MB' }, { memoryLimit: '512MB', threads: DEFAULT_THREADS }],
    [{ CIO_SYNC_MEMORY_LIMIT: ' 1.5 gb ', CIO_SYNC_THREADS: '4' }, { memoryLimit: '1.5GB', threads: 4 }],
    [{ CIO_SYNC_MEMORY_LIMIT: '', CIO_SYNC_THREADS: '' }, { threads: DEFAULT_THREADS }],
    [{ CIO_SYNC_MEMORY_LIMIT: '300MiB', CIO_SYNC_THREADS: '1' }, { memoryLimit: '300MIB', threads: 1 }],
  ])('reads %j as %j', (env, limits) => {
    expect(duckDbLimits(env)).toEqual(limits);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ CIO_SYNC_MEMORY_LIMIT: 'lots' }, /^CIO_SYNC_MEMORY_LIMIT=lots is not a size; give one like 256MB or 2GB$/],
    [{ CIO_SYNC_MEMORY_LIMIT: '80%' }, /is not a size/],
    [{ CIO_SYNC_THREADS: '0' }, /^CIO_SYNC_THREADS=0 is not a number of threads/],
    [{ CIO_SYNC_THREADS: 'two' }, /is not a number of threads/],
  ])('refuses %j with a config_error', (env, message) => {
    expect(() => duckDbLimits(env)).toThrow(ConnectorError);
    expect(() => duckDbLimits(env)).toThrow(message);
  });

  it('are DuckDB open options', () => {
    expect(duckDbOptions({ memoryLimit: '256MB', threads: 2 })).toEqual({ memory_limit: '256MB', threads: '2' });
    expect(duckDbOptions({ threads: 2 })).toEqual({ threads: '2' });
  });
});

describe('the warehouse a sync opens', () => {
  async function settings(path: string, limits?: Parameters<typeof Warehouse.open>[1]) {
    const warehouse = await Warehouse.open(path, limits);
    try {
      const [row] = await warehouse.rows(`SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads, current_setting('preserve_insertion_order') AS ordered`);
      return row;
    } finally {
      warehouse.close();
    }
  }

  it('has 2 threads by default whatever the machine, and DuckDB\'s own memory limit', async () => {
    const row = await settings(join(scratchDir('cio-limits-'), 'default.duckdb'));
    expect(row).toMatchObject({ threads: '2' });
  });

  it('takes the bounds it is given', async () => {
    const row = await settings(join(scratchDir('cio-limits-'), 'given.duckdb'), { memoryLimit: '1GB', threads: 1 });
    expect(row).toMatchObject({ memory: '953.6 MiB', threads: '1' });
  });
});
