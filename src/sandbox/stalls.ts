/**
 * When a request may have arrived. The sandbox stamps a request when its handler runs; when its one thread was
 * held up (a large page being built, or the whole process waiting for a core on a busy machine), requests that
 * arrived meanwhile are handled late, all at once, and stamped as if they came bunched. The real API's gateway
 * stamps them as they come. So the sandbox watches its own event loop: a heartbeat every HEARTBEAT_MS that comes
 * much later than due marks a stall, and a request handled in the same turn of the loop may have arrived at any
 * time since the stall began (a new connection's first request is read a turn later than its connection is
 * accepted, so for two turns): `earliestArrival` gives that time (otherwise the handler's own time). The rate
 * limit counts a request from the earliest moment it may have arrived, so a 429 means the client really sent too
 * many, not that the sandbox read them late.
 */
const HEARTBEAT_MS = 5;
/** A heartbeat this much later than due marks a stall (timers are otherwise a millisecond or two late). */
const STALL_MS = 5;

export class StallWatch {
  private lastBeat: number;
  /** The stall the loop is still catching up on: from when, and whether that turn of the loop is over. */
  private stall?: { from: number; over: boolean };
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly clock: () => number = Date.now) {
    this.lastBeat = clock();
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** The earliest a request handled now may have arrived (ms). */
  earliestArrival(): number {
    const now = this.clock();
    // A loop that waited for I/O when the process lost its core handles the I/O first, before the overdue heartbeat.
    if (now - this.lastBeat > HEARTBEAT_MS + STALL_MS) return this.lastBeat;
    return this.stall && !this.stall.over ? Math.min(now, this.stall.from) : now;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    const now = this.clock();
    if (now - this.lastBeat > HEARTBEAT_MS + STALL_MS) {
      const stall = { from: this.lastBeat, over: false };
      this.stall = stall;
      // Timers run before the loop polls for I/O; what arrived during the stall is handled in this turn's poll, and
      // setImmediate runs right after it. A connection opened during the stall is accepted in this turn and read in
      // the next: the stall holds until the check phase of that one, then requests are handled as they come again.
      setImmediate(() => setImmediate(() => (stall.over = true)));
    }
    this.lastBeat = now;
  }
}
