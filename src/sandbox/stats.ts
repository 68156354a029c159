/**
 * What the connector did on the wire: request counts per status and endpoint, 429s, faults, the
 * busiest second (the most arrivals in any rolling 1000 ms, as the rate limit counts), and a bounded log of recent requests. Tests and benchmarks read it
 * through `sandbox.stats()` or `GET /__sandbox/stats`.
 */
import type { FaultKind, SandboxRequestRecord, SandboxStats } from './types.js';

const LOG_LIMIT = 10_000;

export class StatsRecorder {
  private total = 0;
  private byStatus: Record<string, number> = {};
  private byEndpoint: Record<string, number> = {};
  private byEndpointStatus: Record<string, Record<string, number>> = {};
  private rateLimited = 0;
  private faults: Record<string, number> = {};
  /** Arrival times (ms) of the last rolling second (unordered: see arrived). */
  private recent: number[] = [];
  private peak = 0;
  private log: SandboxRequestRecord[] = [];

  /**
   * Count an arrival (for the per-second peak), when the request comes in: at `atMs`, or as early as `earliestMs`
   * when the sandbox handled it late (stalls.ts). Counted the way the rate limit counts (ratelimit.ts): the second
   * before its handling, itself remembered from the earliest.
   */
  arrived(atMs: number, earliestMs = atMs): void {
    this.recent = this.recent.filter((t) => t > atMs - 1000);
    this.peak = Math.max(this.peak, this.recent.filter((t) => t <= atMs).length + 1);
    this.recent.push(Math.min(atMs, earliestMs));
  }

  /** Count a finished request (answered, reset or cut off). */
  finished(record: SandboxRequestRecord, faults: FaultKind[]): void {
    this.total++;
    const status = String(record.status);
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    this.byEndpoint[record.endpoint] = (this.byEndpoint[record.endpoint] ?? 0) + 1;
    const perStatus = (this.byEndpointStatus[record.endpoint] ??= {});
    perStatus[status] = (perStatus[status] ?? 0) + 1;
    if (record.status === 429) this.rateLimited++;
    for (const kind of faults) this.faults[kind] = (this.faults[kind] ?? 0) + 1;
    this.log.push(record);
    if (this.log.length > LOG_LIMIT * 1.1) this.log = this.log.slice(-LOG_LIMIT);
  }

  snapshot(): SandboxStats {
    return {
      total: this.total,
      byStatus: { ...this.byStatus },
      byEndpoint: { ...this.byEndpoint },
      byEndpointStatus: Object.fromEntries(Object.entries(this.byEndpointStatus).map(([k, v]) => [k, { ...v }])),
      rateLimited: this.rateLimited,
      faults: { ...this.faults },
      peakPerSecond: this.peak,
      requests: this.log.slice(-LOG_LIMIT),
    };
  }

  reset(): void {
    this.total = 0;
    this.byStatus = {};
    this.byEndpoint = {};
    this.byEndpointStatus = {};
    this.rateLimited = 0;
    this.faults = {};
    this.recent = [];
    this.peak = 0;
    this.log = [];
  }
}
