/**
 * The process-wide request budget. Every HTTP attempt (retries included) is scheduled here, so the whole
 * read never exceeds `requests_per_second`, whatever the number of streams and partitions in flight.
 * Requests are spaced at least 1000/rps ms apart (a hair more, so network jitter cannot put rps+1 into one
 * of the server's one-second windows). A 429 pauses everyone until its Retry-After has passed and slows the
 * pace for a while; the pace recovers after a run of successes.
 *
 * Requests waiting for the budget go out by urgency (0 to MAX_URGENCY), then in order. A pass over a paged list
 * is a chain: one request per round trip, however much budget is free. The reader makes a pass's next page more
 * urgent the deeper the pass already is, so the longest chains (which decide when the read ends) are never
 * stuck behind a queue, and requests that start new work (first pages of partitions, per-parent lists, the
 * attribute calls of a page) fill the rest of the budget.
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

/** The most urgent level `schedule` takes (bottleneck's priorities run 0, first, to 9; its default is 5). */
export const MAX_URGENCY = 5;

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
    // An infinite rate (benchmarks against a local API) spaces nothing; a 429 still pauses everyone.
    this.baseSpacing = Number.isFinite(options.requestsPerSecond) ? Math.ceil((1000 / options.requestsPerSecond) * (options.margin ?? 1.02)) : 0;
    this.spacing = this.baseSpacing;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    // The gate: one waiting request at a time claims its start, the others wait in bottleneck's queue, where
    // urgency orders them. (Spacing in bottleneck itself would start every queued job on its own clock, and jobs
    // waiting for a 429 pause or a slower pace would pile up outside the queue, in no order.)
    this.bottleneck = new Bottleneck({ maxConcurrent: 1 });
  }

  /** Runs `task` when the budget allows, ahead of waiting tasks of lower `urgency` (0, the default, to MAX_URGENCY). */
  async schedule<T>(task: () => Promise<T>, urgency = 0): Promise<T> {
    if (this.spacing === 0 && this.now() >= this.pausedUntil) {
      this.requests++;
      return task();
    }
    const priority = MAX_URGENCY - Math.max(0, Math.min(MAX_URGENCY, Math.floor(urgency)));
    let running: Promise<T> | undefined;
    await this.bottleneck.schedule({ priority }, async () => {
      await this.claimStart();
      // Started at the very moment its start was claimed (not after the gate's own promise has settled, some
      // ticks later on a busy loop: a late first start would put rps+1 starts into one second). It runs outside
      // the gate: many requests may be in flight, only their starts are spaced.
      running = task();
      // Its caller awaits it below; until then a failure must not count as unhandled.
      running.catch(() => undefined);
    });
    return running!;
  }

  /**
   * Waits for this request's turn: one spacing after the last start, and not before a 429's Retry-After has
   * passed. Starts are claimed one at a time, so requests held back by a pause go one spacing apart when it
   * ends, not all at once (more than rps in one second).
   */
  private async claimStart(): Promise<void> {
    for (;;) {
      const wait = Math.max(this.pausedUntil, this.lastStart + this.spacing) - this.now();
      if (wait <= 0) break;
      await this.sleep(wait);
    }
    this.lastStart = this.now();
    this.requests++;
  }

  /** The server said "too many": pause everyone for `retryAfterMs` and slow the pace by half. */
  onRateLimited(retryAfterMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
    this.successesSinceSlowdown = 0;
    this.spacing = Math.min(this.baseSpacing * 4, Math.ceil(this.spacing * 1.5));
  }

  /** A request went through: after enough of them, speed back up towards the configured pace. */
  onSuccess(): void {
    if (this.spacing === this.baseSpacing) return;
    if (++this.successesSinceSlowdown >= 20) {
      this.successesSinceSlowdown = 0;
      this.spacing = Math.max(this.baseSpacing, Math.floor(this.spacing / 1.25));
    }
  }

  get currentSpacingMs(): number {
    return this.spacing;
  }

  async stop(): Promise<void> {
    await this.bottleneck.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }
}
