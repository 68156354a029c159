/**
 * Part 2, throughput floor: sandbox without latency or limit, 1,000,000 activities and 200,000 transactional
 * deliveries; the connector reads both streams (its own limiter lifted with CIO_REQUESTS_PER_SECOND=off) and is
 * compared with the baseline (baseline.ts) over the same pages, each run in its own process, the sandbox in a
 * third. Records per second, CPU seconds per 100,000 records, and the connector's time ÷ the baseline's.
 */
import { join } from 'node:path';
import { isoSeconds } from '../clock.js';
import { catalogOf, runConnector } from './connector.js';
import { spawnMeasured } from './measured.js';
import { DIST, startSandboxProcess, type SandboxProcess } from './sandbox-process.js';

const DAY = 86_400;

export interface ThroughputSizes {
  activities: number;
  deliveries: number;
}

export interface ThroughputRun {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  cpuPer100k: number;
  peakRssMb: number;
  baselineRecords: number;
  baselineSeconds: number;
  baselineRecordsPerSecond: number;
  baselineCpuPer100k: number;
  /** Connector time ÷ baseline time (target ≤ 2). */
  timeRatio: number;
}

export async function runThroughput(sizes: ThroughputSizes): Promise<ThroughputRun> {
  const wallNow = Math.floor(Date.now() / 1000);
  const sandbox = await startSandboxProcess({
    sizes: { activities: sizes.activities, deliveries: sizes.deliveries, transactionalMessages: 5, customers: 1000 },
    latencyMs: 0,
    rateLimit: false,
    now: wallNow - 60,
  });
  try {
    const startTs = wallNow - 30 * DAY + 300;
    // The baseline first, then the connector: the same order every run (page cache, JIT of the sandbox).
    const baseline = await runBaseline(sandbox, startTs, wallNow);
    const connector = await runConnector({
      config: { app_api_key: 'sandbox-us-key', api_base_url: sandbox.url, start_date: isoSeconds(startTs) },
      catalog: catalogOf(['activities', 'transactional_message_details']),
      env: { CIO_REQUESTS_PER_SECOND: 'off' },
      // A minute after the sandbox's clock, as the baseline's end: every record in the connector's past.
      clock: wallNow,
    });
    if (connector.exitCode !== 0) throw new Error(`the read failed (exit ${connector.exitCode}): ${connector.stderr.slice(0, 1000)} ${JSON.stringify(connector.others.slice(-3))}`);
    if (!connector.usage) throw new Error('the connector reported no resource usage');
    const seconds = connector.wallMs / 1000;
    return {
      records: connector.records,
      seconds,
      recordsPerSecond: connector.records / seconds,
      cpuPer100k: (connector.usage.cpuSeconds / connector.records) * 100_000,
      peakRssMb: connector.usage.maxRssMb,
      baselineRecords: baseline.records,
      baselineSeconds: baseline.seconds,
      baselineRecordsPerSecond: baseline.records / baseline.seconds,
      baselineCpuPer100k: (baseline.cpuSeconds / baseline.records) * 100_000,
      timeRatio: seconds / baseline.seconds,
    };
  } finally {
    await sandbox.close();
  }
}

async function runBaseline(sandbox: SandboxProcess, startTs: number, endTs: number): Promise<{ records: number; seconds: number; cpuSeconds: number }> {
  const plan = { baseUrl: sandbox.url, apiKey: 'sandbox-us-key', startTs, endTs };
  const { child, done } = spawnMeasured(join(DIST, 'bench', 'baseline.js'), [JSON.stringify(plan)]);
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (out += chunk));
  const finished = await done;
  if (finished.exitCode !== 0 || !finished.usage) throw new Error(`the baseline failed (exit ${finished.exitCode}): ${finished.stderr.slice(0, 1000)}`);
  const { records } = JSON.parse(out) as { records: number };
  return { records, seconds: finished.wallMs / 1000, cpuSeconds: finished.usage.cpuSeconds };
}

