/**
 * The process-wide request budget. Every HTTP attempt (retries included) is scheduled here, so the whole
 * read never exceeds `requests_per_second`, whatever the number of streams and partitions in flight.
 * Two rules, both on starts: at least 1000/rps ms between two starts, and at most rps starts in any rolling
 * window of 1000 ms × `margin` (1020 ms: an API that counts its 10 requests in any rolling second still sees
 * at most 10 when a request reaches it up to 20 ms later than the one 10 after it; 2% of the budget). A start
 * is moved later to the moment its request actually went out, once that is known (`sentLate`: a new
 * connection's handshake, a busy event loop): such a delay costs the request rps later that much wait, and only
 * that one, instead of bunching the two at the API. Saturated, the budget lost is the window's margin (and any
 * time a timer fires late: a start is never earlier than its timer). [inferred: the moment is known once the
 * answer is in (got's timings), so an answer slower than a window comes too late to hold back the request rps
 * later; at the API's usual latency it comes well before.]
 *
 * A 429 pauses everyone until its Retry-After has passed and slows the pace for a while; the pace recovers
 * after a run of successes, but only to a little below the pace that met the 429 (the ceiling), which itself
 * relaxes back to the configured pace after a long run without one. So a key shared with another client
 * settles just under what is left for us instead of meeting the limit every few seconds, and a one-off 429
 * costs a few slower seconds. Several 429s answered to requests already in
 * flight when the first came (a burst) are one event: they extend the pause but slow the pace once.
 *
 * Requests waiting for the budget go out by urgency (0 to MAX_URGENCY), then in order. A pass over a paged list
 * is a chain: one request per round trip, however much budget is free. The reader makes a pass's next page more
 * urgent the deeper the pass already is, so the longest chains (which decide when the read ends) are never
 * stuck behind a queue, and requests that start new work (first pages of partitions, per-parent lists, the
 * attribute calls of a page) fill the rest of the budget.
 */
import Bottleneck from 'bottleneck';
import { machineSleep } from '../clock.js';

export interface LimiterOptions {
  requestsPerSecond: number;
  /** The rolling window's length in seconds, against jitter on the way to the API (default 1.02). */
  margin?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Each 429 multiplies the spacing by this, up to MAX_SLOWDOWN times the configured spacing. */
const SLOWDOWN = 1.5;
const MAX_SLOWDOWN = 4;
/** After a run of RECOVERY_RUN successes the spacing is divided by RECOVERY (never below the ceiling). */
const RECOVERY = 1.25;
const RECOVERY_RUN = 20;
/** The pace recovery returns to is this much slower than the one that met the last 429… */
const CEILING_MARGIN = 1.1;
/** …until CEILING_RUN successes in a row without a 429 relax it by one margin towards the configured pace. */
const CEILING_RUN = 100;

const ignore = (): void => undefined;

/** The most urgent level `schedule` takes (bottleneck's priorities run 0, first, to 9; its default is 5). */
export const MAX_URGENCY = 5;

export class RateLimiter {
  private readonly bottleneck: Bottleneck;
  private readonly baseSpacing: number;
  private spacing: number;
  private pausedUntil = 0;
  /** When the last request started (clock of `now`). */
  private lastStart = Number.NEGATIVE_INFINITY;
  /** Starts per rolling window (rps; 0: no window), the window's length, and the latest starts, in claim order. */
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly recent: Array<{ at: number }> = [];
  /** Successes in a row since the last 429 or the last step of the pace (or of the ceiling). */
  private successes = 0;
  /** The fastest spacing recovery returns to: the configured one, or a little slower than the one that met a 429. */
  private ceiling: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Attempts scheduled so far (for summaries and benchmarks). */
  requests = 0;

  constructor(options: LimiterOptions) {
    // An infinite rate (benchmarks against a local API) spaces nothing; a 429 still pauses everyone.
    const finite = Number.isFinite(options.requestsPerSecond);
    this.baseSpacing = finite ? Math.ceil(1000 / options.requestsPerSecond) : 0;
    this.perWindow = finite ? Math.max(1, Math.floor(options.requestsPerSecond)) : 0;
    this.windowMs = Math.ceil(1000 * (options.margin ?? 1.02) * (finite ? this.perWindow / options.requestsPerSecond : 1));
    this.spacing = this.baseSpacing;
    this.ceiling = this.baseSpacing;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? machineSleep;
    // The gate: one waiting request at a time claims its start, the others wait in bottleneck's queue, where
    // urgency orders them. (Spacing in bottleneck itself would start every queued job on its own clock, and jobs
    // waiting for a 429 pause or a slower pace would pile up outside the queue, in no order.)
    this.bottleneck = new Bottleneck({ maxConcurrent: 1 });
  }

  /**
   * Runs `task` when the budget allows, ahead of waiting tasks of lower `urgency` (0, the default, to MAX_URGENCY).
   * The task may report how many ms after its start its request actually went out (`sentLate`).
   */
  async schedule<T>(task: (sentLate: (ms: number) => void) => Promise<T>, urgency = 0): Promise<T> {
    if (this.spacing === 0 && this.now() >= this.pausedUntil) {
      this.requests++;
      return task(ignore);
    }
    const priority = MAX_URGENCY - Math.max(0, Math.min(MAX_URGENCY, Math.floor(urgency)));
    let running: Promise<T> | undefined;
    await this.bottleneck.schedule({ priority }, async () => {
      const sentLate = await this.claimStart();
      // Started at the very moment its start was claimed (not after the gate's own promise has settled, some
      // ticks later on a busy loop: a late first start would put rps+1 starts into one second). It runs outside
      // the gate: many requests may be in flight, only their starts are spaced.
      running = task(sentLate);
      // Its caller awaits it below; until then a failure must not count as unhandled.
      running.catch(() => undefined);
    });
    return running!;
  }

  /**
   * Waits for this request's turn: one spacing after the last start, a window after the rps-th latest start, and
   * not before a 429's Retry-After has passed. Starts are claimed one at a time, so requests held back by a pause
   * go one spacing apart when it ends, not all at once (more than rps in one second). Returns how to move this
   * start later to when its request went out.
   */
  private async claimStart(): Promise<(ms: number) => void> {
    for (;;) {
      const wait = Math.max(this.pausedUntil, this.lastStart + this.spacing, this.windowFreeAt()) - this.now();
      if (wait <= 0) break;
      await this.sleep(wait);
    }
    this.lastStart = this.now();
    this.requests++;
    if (this.perWindow === 0) return ignore;
    const start = { at: this.lastStart };
    this.recent.push(start);
    // Twice the window's count: a start moved later may outlast one claimed after it.
    if (this.recent.length > 2 * this.perWindow) this.recent.shift();
    const claimed = start.at;
    return (ms) => {
      if (Number.isFinite(ms) && ms > 0) start.at = Math.max(start.at, claimed + ms);
    };
  }

  /** When one more start fits in the rolling window: a window after the rps-th latest start (as sent). */
  private windowFreeAt(): number {
    if (this.perWindow === 0 || this.recent.length < this.perWindow) return Number.NEGATIVE_INFINITY;
    const latest = this.recent.map((s) => s.at).sort((a, b) => b - a);
    return latest[this.perWindow - 1] + this.windowMs;
  }

  /**
   * The server said "too many": pause everyone for `retryAfterMs`, slow the pace by half, and remember that the
   * pace in effect was too fast. A 429 that arrives during the pause answers a request that started before it
   * (nothing starts during a pause): the same burst, so it only extends the pause.
   */
  onRateLimited(retryAfterMs: number): void {
    const now = this.now();
    const sameBurst = now < this.pausedUntil;
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    if (sameBurst) return;
    const limit = this.baseSpacing * MAX_SLOWDOWN;
    this.ceiling = Math.min(limit, Math.max(this.ceiling, Math.round(this.spacing * CEILING_MARGIN)));
    this.spacing = Math.min(limit, Math.ceil(this.spacing * SLOWDOWN));
    this.successes = 0;
  }

  /** A request went through: after enough of them, speed back up towards the ceiling, and the ceiling towards the configured pace. */
  onSuccess(): void {
    if (this.spacing > this.ceiling) {
      if (++this.successes >= RECOVERY_RUN) {
        this.successes = 0;
        this.spacing = Math.max(this.ceiling, Math.floor(this.spacing / RECOVERY));
      }
      return;
    }
    if (this.ceiling === this.baseSpacing) return;
    if (++this.successes >= CEILING_RUN) {
      this.successes = 0;
      this.ceiling = Math.max(this.baseSpacing, Math.round(this.ceiling / CEILING_MARGIN));
      this.spacing = this.ceiling;
    }
  }

  get currentSpacingMs(): number {
    return this.spacing;
  }

  /** The rolling window: at most `starts` in any `ms` (0 starts: none). */
  get window(): { starts: number; ms: number } {
    return { starts: this.perWindow, ms: this.windowMs };
  }

  async stop(): Promise<void> {
    await this.bottleneck.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }
}
