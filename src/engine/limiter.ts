/**
 * The process-wide request budget. Every HTTP attempt (retries included) is scheduled here, so the whole
 * read never exceeds `requests_per_second`, whatever the number of streams and partitions in flight.
 * Requests are spaced at least 1000/rps ms apart (a hair more, so network jitter cannot put rps+1 into one
 * of the server's one-second windows). A 429 pauses everyone until its Retry-After has passed and slows the
 * pace for a while; the pace recovers after a run of successes.
 */
import Bottleneck from 'bottleneck';

export interface LimiterOptions {
  requestsPerSecond: number;
  /** Extra spacing factor against jitter (default 1.02). */
  margin?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly bottleneck: Bottleneck;
  private readonly baseSpacing: number;
  private spacing: number;
  private pausedUntil = 0;
  /** When the last request started (clock of `now`). */
  private lastStart = Number.NEGATIVE_INFINITY;
  private successesSinceSlowdown = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Attempts scheduled so far (for summaries and benchmarks). */
  requests = 0;

  constructor(options: LimiterOptions) {
    this.baseSpacing = Math.ceil((1000 / options.requestsPerSecond) * (options.margin ?? 1.02));
    this.spacing = this.baseSpacing;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.bottleneck = new Bottleneck({ minTime: this.spacing, maxConcurrent: null });
  }

  /** Runs `task` when the budget allows. */
  async schedule<T>(task: () => Promise<T>): Promise<T> {
    return this.bottleneck.schedule(async () => {
      // A 429 seen by any request holds back every request until its Retry-After has passed. Requests held
      // back wake together, so each one claims its own start (one spacing after the last) before going:
      // otherwise all of them would start at once when the pause ends, more than rps in one second.
      for (;;) {
        const wait = Math.max(this.pausedUntil, this.lastStart + this.spacing) - this.now();
        if (wait <= 0) break;
        await this.sleep(wait);
      }
      this.lastStart = this.now();
      this.requests++;
      return task();
    });
  }

  /** The server said "too many": pause everyone for `retryAfterMs` and slow the pace by half. */
  onRateLimited(retryAfterMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
    this.successesSinceSlowdown = 0;
    const slower = Math.min(this.baseSpacing * 4, Math.ceil(this.spacing * 1.5));
    if (slower !== this.spacing) {
      this.spacing = slower;
      this.bottleneck.updateSettings({ minTime: this.spacing });
    }
  }

  /** A request went through: after enough of them, speed back up towards the configured pace. */
  onSuccess(): void {
    if (this.spacing === this.baseSpacing) return;
    if (++this.successesSinceSlowdown >= 20) {
      this.successesSinceSlowdown = 0;
      this.spacing = Math.max(this.baseSpacing, Math.floor(this.spacing / 1.25));
      this.bottleneck.updateSettings({ minTime: this.spacing });
    }
  }

  get currentSpacingMs(): number {
    return this.spacing;
  }

  async stop(): Promise<void> {
    await this.bottleneck.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }
}
