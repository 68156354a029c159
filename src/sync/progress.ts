/**
 * What `sync` shows while it runs, on stderr only. On a terminal that reports its width: a live block redrawn a few times a
 * second (elapsed time, requests per second against the limit, records per stream). Elsewhere (a log
 * file, CI): one plain line every `intervalMs` (10 s, or CIO_SYNC_PROGRESS_SECONDS). In both, a line when a
 * stream finishes and any warning, printed above the live block so it is never overwritten.
 */
import type { StreamStats } from './loader.js';

export interface ProgressSource {
  stats: Map<string, StreamStats>;
  /** HTTP attempts so far (retries included): what the rate limit counts. */
  requests: () => number;
  /** The configured requests_per_second. */
  limit: number;
}

export interface ProgressOptions {
  /** Live redraw (a terminal) or plain periodic lines. Default: the stream's isTTY. */
  tty?: boolean;
  /** Between redraws (TTY, default 250) or plain lines (default CIO_SYNC_PROGRESS_SECONDS, else 10,000), in ms. */
  intervalMs?: number;
  now?: () => number;
}

export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const number = (n: number) => n.toLocaleString('en-US');

/** CIO_SYNC_PROGRESS_SECONDS (a positive number, fractions allowed) in ms, for plain lines; undefined when unset or not one. */
export function plainIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const seconds = Number(env.CIO_SYNC_PROGRESS_SECONDS);
  return env.CIO_SYNC_PROGRESS_SECONDS && Number.isFinite(seconds) && seconds > 0 ? Math.max(10, Math.round(seconds * 1000)) : undefined;
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Progress {
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private liveLines = 0;
  private frame = 0;
  private samples: Array<{ at: number; requests: number }> = [];
  private announced = new Set<string>();
  private silent = false;

  constructor(
    private readonly out: TextSink,
    private readonly source: ProgressSource,
    options: ProgressOptions = {},
  ) {
    // A terminal that reports no width (columns 0 or unset: some CI runners, `script`, a pty without a size) gets the
    // plain lines: a live block would be cut to a guess of its width, or wrap and never be cleared.
    this.tty = options.tty ?? (out.isTTY === true && (out.columns ?? 0) > 0);
    this.intervalMs = options.intervalMs ?? (this.tty ? 250 : (plainIntervalFromEnv() ?? 10_000));
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.samples.push({ at: this.started, requests: source.requests() });
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops redrawing and clears the live block (the summary is printed after). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.announceFinished();
    this.clearLive();
  }

  /** Stops for good, printing nothing more (the process is stopping on a signal: streams end unfinished, not failed). */
  silence(): void {
    this.stop();
    this.silent = true;
  }

  /** A line that stays (a warning, a stream that finished). */
  line(text: string): void {
    if (this.silent) return;
    this.clearLive();
    this.out.write(`${text}\n`);
  }

  /** One update: redraw the live block (TTY) or print one plain line. */
  tick(): void {
    if (this.silent) return;
    this.announceFinished();
    if (this.tty) {
      this.clearLive();
      const lines = this.liveBlock();
      this.out.write(lines.map((l) => `${l}\n`).join(''));
      this.liveLines = lines.length;
    } else {
      this.out.write(`${this.plainLine()}\n`);
    }
  }

  /** Requests per second over the last few seconds. */
  rate(): number {
    const at = this.now();
    this.samples.push({ at, requests: this.source.requests() });
    // Keep the newest sample at least 5 s old as the base (the start, at first).
    while (this.samples.length > 2 && at - this.samples[1].at >= 5_000) this.samples.shift();
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = last.at - first.at;
    return span > 0 ? ((last.requests - first.requests) * 1000) / span : 0;
  }

  plainLine(): string {
    const all = [...this.source.stats.values()];
    const reading = all.filter((s) => s.phase === 'reading');
    const done = all.filter((s) => s.phase === 'complete' || s.phase === 'failed').length;
    const records = all.reduce((n, s) => n + s.received, 0);
    const head = `[sync ${seconds(this.now() - this.started)}] ${number(records)} records, ${number(this.source.requests())} requests (${this.rate().toFixed(1)}/s, limit ${this.source.limit}), ${done}/${all.length} streams done`;
    // Records written to the file beside those received: what a stop now would keep.
    return reading.length ? `${head}; reading ${reading.map((s) => `${s.stream} ${number(s.received)} (${number(s.committed)} written)`).join(', ')}` : head;
  }

  liveBlock(): string[] {
    const all = [...this.source.stats.values()];
    const width = this.out.columns ? Math.max(40, this.out.columns - 1) : 100;
    const records = all.reduce((n, s) => n + s.received, 0);
    const done = all.filter((s) => s.phase === 'complete' || s.phase === 'failed').length;
    const spin = SPINNER[this.frame++ % SPINNER.length];
    const head = `${spin} ${seconds(this.now() - this.started)}  ${this.rate().toFixed(1)} req/s (limit ${this.source.limit})  ${number(this.source.requests())} requests  ${number(records)} records  ${done}/${all.length} streams done`;
    const nameWidth = Math.max(...all.map((s) => s.stream.length), 6);
    // The busiest streams first; the ones still waiting for their first page fold into one line.
    const reading = all.filter((s) => s.phase === 'reading').sort((a, b) => b.received - a.received);
    const shown = reading.slice(0, 8).map((s) => `  ${s.stream.padEnd(nameWidth)} ${number(s.received).padStart(10)} records  ${number(s.committed).padStart(10)} written`);
    if (reading.length > shown.length) shown.push(`  … and ${reading.length - shown.length} more streams reading`);
    return [head, ...shown].map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  }

  /** One lasting line for a stream that ended (once per stream). */
  ended(s: StreamStats): void {
    if ((s.phase !== 'complete' && s.phase !== 'failed') || this.announced.has(s.stream)) return;
    this.announced.add(s.stream);
    const took = s.startedAt !== undefined && s.endedAt !== undefined ? ` in ${seconds(s.endedAt - s.startedAt)}` : '';
    this.line(s.phase === 'complete' ? `✓ ${s.stream}: ${number(s.received)} records${took}` : `✗ ${s.stream}: failed${took}${s.error ? ` (${s.error})` : ''}`);
  }

  private announceFinished(): void {
    for (const s of this.source.stats.values()) this.ended(s);
  }

  private clearLive(): void {
    if (!this.tty || this.liveLines === 0) return;
    // Up to the block's first line, then clear to the end of the screen.
    this.out.write(`\x1b[${this.liveLines}F\x1b[J`);
    this.liveLines = 0;
  }
}
