/**
 * The virtual clock. Time-based streams (activities, messages, deliveries, metrics) are functions of
 * `now()`, so moving the clock is all it takes for new records to appear and old ones to age out.
 * It stands still unless advanced, or follows the wall clock with `realClock`. Each advance is
 * remembered: list objects are "updated" at the times of those events (see data/churn.ts).
 */
export class Clock {
  private offset = 0;
  private readonly wallStart = Date.now();
  /** Virtual times at which advance() was called, oldest first. */
  readonly advances: number[] = [];

  constructor(
    readonly start: number,
    private readonly real: boolean,
  ) {}

  now(): number {
    const drift = this.real ? Math.floor((Date.now() - this.wallStart) / 1000) : 0;
    return this.start + drift + this.offset;
  }

  advance(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`advance needs a non-negative number of seconds, got ${seconds}`);
    }
    this.offset += Math.floor(seconds);
    const now = this.now();
    this.advances.push(now);
    return now;
  }
}
