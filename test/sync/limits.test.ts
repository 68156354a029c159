/**
 * Issue 26.8: sync's DuckDB is bounded by default (memory_limit and threads; DuckDB's own defaults are 80 % of
 * the machine and a thread per core), and operators change the bounds through the environment. The default
 * memory limit gives way to DuckDB's own when a batch needs more; an operator's does not.
 */
import { join } from 'node:path';
import { DEFAULT_MEMORY_LIMIT, DEFAULT_THREADS, duckDbLimits, duckDbOptions } from '../../src/sync/limits.js';
import { layoutOf } from '../../src/sync/layout.js';
import { Warehouse } from '../../src/sync/warehouse.js';
import { ConnectorError } from '../../src/errors.js';
import { scratchDir } from '../helpers/scratch.js';

describe('duckDbLimits', () => {
  it.each<[Record<string, string>, { memoryLimit?: string; threads: number; soft?: boolean }]>([
    [{}, { memoryLimit: DEFAULT_MEMORY_LIMIT, soft: true, threads: DEFAULT_THREADS }],
    [{ CIO_SYNC_MEMORY_LIMIT: '512MB' }, { memoryLimit: '512MB', threads: DEFAULT_THREADS }],
    [{ CIO_SYNC_MEMORY_LIMIT: ' 1.5 gb ', CIO_SYNC_THREADS: '4' }, { memoryLimit: '1.5GB', threads: 4 }],
    [{ CIO_SYNC_MEMORY_LIMIT: '', CIO_SYNC_THREADS: '' }, { memoryLimit: '128MB', soft: true, threads: DEFAULT_THREADS }],
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

  it('has 2 threads and 128MB by default whatever the machine', async () => {
    const row = await settings(join(scratchDir('cio-limits-'), 'default.duckdb'));
    expect(row).toMatchObject({ memory: '122.0 MiB', threads: '2' });
  });

  it('takes the bounds it is given', async () => {
    const row = await settings(join(scratchDir('cio-limits-'), 'given.duckdb'), { memoryLimit: '1GB', threads: 1 });
    expect(row).toMatchObject({ memory: '953.6 MiB', threads: '1' });
  });
});

describe('a batch wider than the memory limit', () => {
  // 100 text columns: DuckDB gives each column of each table the batch goes through blocks of its own, more than 16MB.
  const properties = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${i}`, { type: ['string', 'null'] }]));
  const layout = layoutOf('wide', { properties: { id: { type: 'integer' }, ...properties } }, [['id']]);
  const records = Array.from({ length: 50 }, (_, id) => ({
    json: JSON.stringify({ id, ...Object.fromEntries(Object.keys(properties).map((name) => [name, `${name} of record ${id} `.repeat(3)])) }),
    emittedAt: 0,
  }));

  async function load(limits: Parameters<typeof Warehouse.open>[1]) {
    const warnings: string[] = [];
    const warehouse = await Warehouse.open(join(scratchDir('cio-limits-'), 'wide.duckdb'), limits, { warn: (m) => warnings.push(m) });
    try {
      const result = await warehouse.upsert(await warehouse.prepareUpsert(layout), records, { at: 1 }).then(
        (counts) => ({ counts }),
        (error: Error) => ({ error: error.message }),
      );
      const written = { rows: await warehouse.count('wide'), states: await warehouse.states() };
      const [{ memory }] = await warehouse.rows(`SELECT current_setting('memory_limit') AS memory`);
      return { ...result, ...written, memory, warnings };
    } finally {
      warehouse.close();
    }
  }

  it('is written again under DuckDB\'s own limit when the limit was the default, with a warning', async () => {
    const result = await load({ memoryLimit: '16MB', soft: true, threads: 1 });
    expect(result).toMatchObject({ counts: { inserted: 50 }, rows: 50 });
    expect(result.states.get('wide')).toEqual({ at: 1 });
    expect(result.memory).not.toBe('15.2 MiB');
    expect(result.warnings).toEqual([expect.stringMatching(/^DuckDB ran out of sync's default memory limit \(16MB\); .* Set CIO_SYNC_MEMORY_LIMIT/)]);
  });

  it('fails under an operator\'s limit, which is kept, and nothing of it is written', async () => {
    const result = await load({ memoryLimit: '16MB', threads: 1 });
    expect(result).toMatchObject({ error: expect.stringMatching(/Out of Memory Error/), rows: 0, memory: '15.2 MiB', warnings: [] });
    expect(result.states.has('wide')).toBe(false);
  });
});
