/**
 * Part 3, memory: peak RSS of the connector reading activities only (sandbox without latency or limit), for a
 * small and a ten times larger stream, and for the small one again with stdout read slowly (a platform that
 * cannot keep up): backpressure must stop the fetching instead of buffering, so all three stay alike.
 */
import { catalogOf, runConnector } from './connector.js';
import { startSandboxProcess } from './sandbox-process.js';

export interface MemoryRun {
  activities: number;
  records: number;
  peakRssMb: number;
  seconds: number;
  /** RSS samples (every 200 ms), for the report's flatness check. */
  rssSamplesMb: number[];
  readBytesPerSecond?: number;
}

export async function runMemory(activities: number, readBytesPerSecond?: number): Promise<MemoryRun> {
  const sandbox = await startSandboxProcess({ sizes: { activities, customers: 1000 }, latencyMs: 0, rateLimit: false, now: Math.floor(Date.now() / 1000) - 60 });
  try {
    const result = await runConnector({
      config: { app_api_key: 'sandbox-us-key', api_base_url: sandbox.url },
      catalog: catalogOf(['activities']),
      env: { CIO_REQUESTS_PER_SECOND: 'off' },
      clock: sandbox.now + 60,
      readBytesPerSecond,
    });
    if (result.exitCode !== 0 || !result.usage) throw new Error(`the read failed (exit ${result.exitCode}): ${result.stderr.slice(0, 1000)}`);
    return { activities, records: result.records, peakRssMb: result.usage.maxRssMb, seconds: result.wallMs / 1000, rssSamplesMb: result.rssSamplesMb, readBytesPerSecond };
  } finally {
    await sandbox.close();
  }
}
