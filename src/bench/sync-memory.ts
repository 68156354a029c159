/**
 * Part 8, sync memory: peak RSS and time of `sync` landing activities in a DuckDB file (sandbox without latency
 * or limit, the connector's limiter lifted), with its default DuckDB bounds (sync/limits.ts) or those given.
 * The goal is a sync that fits a 512 MB container: ≤ 300 MB at a million activities.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogOf } from './connector.js';
import { spawnMeasured } from './measured.js';
import { DIST, startSandboxProcess } from './sandbox-process.js';

export interface SyncMemoryRun {
  activities: number;
  peakRssMb: number;
  seconds: number;
  recordsPerSecond: number;
  rssSamplesMb: number[];
}

export async function runSyncMemory(activities: number, env: Record<string, string> = {}): Promise<SyncMemoryRun> {
  const sandbox = await startSandboxProcess({ sizes: { activities, customers: 1000 }, latencyMs: 0, rateLimit: false, now: Math.floor(Date.now() / 1000) - 60 });
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-sync-'));
  try {
    const config = join(dir, 'config.json');
    const catalog = join(dir, 'catalog.json');
    writeFileSync(config, JSON.stringify({ app_api_key: 'sandbox-us-key', api_base_url: sandbox.url }));
    writeFileSync(catalog, JSON.stringify(catalogOf(['activities'])));
    const { done } = spawnMeasured(join(DIST, 'main.js'), ['sync', '--config', config, '--catalog', catalog, '--duckdb', join(dir, 'bench.duckdb')], {
      CIO_REQUESTS_PER_SECOND: 'off',
      CIO_SYNC_PROGRESS_SECONDS: '3600',
      ...env,
    });
    const finished = await done;
    if (finished.exitCode !== 0 || !finished.usage) throw new Error(`the sync failed (exit ${finished.exitCode}): ${finished.stderr.slice(0, 1000)}`);
    const seconds = finished.wallMs / 1000;
    return { activities, peakRssMb: finished.usage.maxRssMb, seconds, recordsPerSecond: activities / seconds, rssSamplesMb: finished.rssSamplesMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
  }
}
