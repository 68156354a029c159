/**
 * Turns the read's messages into warehouse writes. RECORDs are buffered per stream; a STATE hands that
 * buffer and the state to one commit (upsert streams) or one load-table append (replace streams); a
 * stream's COMPLETE swaps a replaced table in, its INCOMPLETE throws the unfinished replace away.
 *
 * Writes run one at a time, in arrival order. When several STATEs of a stream wait behind a slow write,
 * they merge into one commit carrying the newest state: still a state together with exactly the rows it
 * covers. `drained()` is the read's backpressure: it holds the reader while too many records wait.
 */
import { ConnectorError } from '../errors.js';
import type { JsonObject } from '../protocol/messages.js';
import type { TableLayout } from './layout.js';
import type { LoadCounts, StagedRecord, Warehouse } from './warehouse.js';

export type LoadMode = 'upsert' | 'replace';

export interface LoadPlan {
  layout: TableLayout;
  mode: LoadMode;
}

export type StreamPhase = 'waiting' | 'reading' | 'complete' | 'failed';

export interface StreamStats {
  stream: string;
  mode: LoadMode;
  phase: StreamPhase;
  /** RECORD messages received (deletions included). */
  received: number;
  /** Records written to the file (for replace streams: staged, then live at the swap). */
  committed: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  misfits: Record<string, number>;
  startedAt?: number;
  endedAt?: number;
  error?: string;
}

interface Job {
  stream: string;
  kind: 'commit' | 'finish' | 'discard';
  records: StagedRecord[];
  state?: JsonObject;
  started: boolean;
}

export interface LoaderOptions {
  /** Records allowed to wait for the database before the read is held back. Default 20,000. */
  maxWaiting?: number;
  /** A stream is done: complete (everything written) or failed. */
  onEnded?: (stats: StreamStats) => void;
}

export class Loader {
  readonly stats = new Map<string, StreamStats>();
  private readonly buffers = new Map<string, StagedRecord[]>();
  private readonly lastState = new Map<string, JsonObject>();
  private readonly queue: Job[] = [];
  private waiting = 0;
  private pumping: Promise<void> | null = null;
  private failure: ConnectorError | undefined;
  private wakeups: Array<() => void> = [];
  private readonly maxWaiting: number;
  private readonly onEnded: (stats: StreamStats) => void;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly plans: Map<string, LoadPlan>,
    options: LoaderOptions = {},
  ) {
    this.maxWaiting = options.maxWaiting ?? 20_000;
    this.onEnded = options.onEnded ?? (() => undefined);
    for (const [stream, plan] of plans) {
      this.stats.set(stream, { stream, mode: plan.mode, phase: 'waiting', received: 0, committed: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, misfits: {} });
    }
  }

  /** The write that failed, if one did: nothing after it is written. */
  get error(): ConnectorError | undefined {
    return this.failure;
  }

  record(stream: string, json: string, emittedAt: number): void {
    const stats = this.stats.get(stream);
    if (!stats) return;
    stats.received++;
    let buffer = this.buffers.get(stream);
    if (!buffer) this.buffers.set(stream, (buffer = []));
    buffer.push({ json, emittedAt });
    this.waiting++;
  }

  state(stream: string, state: JsonObject): void {
    if (!this.stats.has(stream)) return;
    const records = this.buffers.get(stream) ?? [];
    this.buffers.set(stream, []);
    this.lastState.set(stream, state);
    const queued = this.queue.find((job) => job.stream === stream && job.kind === 'commit' && !job.started);
    if (queued) {
      queued.records.push(...records);
      queued.state = state;
    } else {
      this.enqueue({ stream, kind: 'commit', records, state, started: false });
    }
  }

  started(stream: string, at: number): void {
    const stats = this.stats.get(stream);
    if (!stats) return;
    stats.phase = 'reading';
    stats.startedAt ??= at;
  }

  /** The stream's read ended: complete (swap a replaced table in) or not (discard its unfinished load). */
  ended(stream: string, complete: boolean, at: number): void {
    const stats = this.stats.get(stream);
    if (!stats || stats.endedAt !== undefined) return;
    stats.endedAt = at;
    // Records not followed by a STATE are not covered by one: never written.
    this.waiting -= this.buffers.get(stream)?.length ?? 0;
    this.buffers.set(stream, []);
    if (!complete) {
      stats.phase = 'failed';
      this.onEnded(stats);
    }
    this.enqueue({ stream, kind: complete ? 'finish' : 'discard', records: [], started: false });
  }

  failed(stream: string, message: string): void {
    const stats = this.stats.get(stream);
    if (stats) stats.error ??= message;
  }

  /**
   * Whether the next page, bringing `incoming` records, should come with a state: when the records held would reach
   * half of maxWaiting. Records of a stream are written only with a state, so without this a read whose STATEs come
   * seldom (checkpoint-policy.ts) could fill the loader with records no write will take, and wait in drained() for
   * good. With it, every page that leaves the loader at half of maxWaiting or more queues a write of its stream's
   * records: the records no write has taken yet stay under half of maxWaiting (memory bounded), and drained()
   * always has a write to wait for.
   */
  wantsState(incoming: number): boolean {
    return this.waiting + incoming >= this.maxWaiting / 2;
  }

  /** Resolves when the read may go on; rejects once a write has failed (the read must stop). */
  drained(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting <= this.maxWaiting) return Promise.resolve();
    return new Promise<void>((resolve) => this.wakeups.push(resolve)).then(() => this.drained());
  }

  /** Resolves when every queued write is done (or skipped after a failure). */
  async finish(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  private async pump(): Promise<void> {
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      job.started = true;
      if (!this.failure) {
        try {
          await this.execute(job);
        } catch (error) {
          const stats = this.stats.get(job.stream)!;
          stats.phase = 'failed';
          const reason = error instanceof Error ? error.message : String(error);
          stats.error = `writing to ${this.warehouse.path} failed: ${reason}`;
          this.onEnded(stats);
          this.failure = new ConnectorError(`Writing stream ${job.stream} to the DuckDB file ${this.warehouse.path} failed: ${reason}`, 'system_error', { stream: job.stream });
        }
      }
      this.waiting -= job.records.length;
      const wake = this.wakeups;
      this.wakeups = [];
      for (const resolve of wake) resolve();
    }
  }

  private async execute(job: Job): Promise<void> {
    const plan = this.plans.get(job.stream)!;
    const stats = this.stats.get(job.stream)!;
    if (job.kind === 'commit') {
      if (plan.mode === 'upsert') {
        add(stats, await this.warehouse.upsert(plan.layout, job.records, job.state ?? {}));
      } else {
        await this.warehouse.stage(plan.layout, job.records);
      }
      stats.committed += job.records.length;
    } else if (job.kind === 'finish') {
      if (plan.mode === 'replace') add(stats, await this.warehouse.replace(plan.layout, this.lastState.get(job.stream) ?? {}));
      stats.phase = 'complete';
      this.onEnded(stats);
    } else if (plan.mode === 'replace') {
      await this.warehouse.discard(plan.layout);
    }
  }
}

function add(stats: StreamStats, counts: LoadCounts): void {
  stats.inserted += counts.inserted;
  stats.updated += counts.updated;
  stats.unchanged += counts.unchanged;
  stats.deleted += counts.deleted;
  for (const [column, n] of Object.entries(counts.misfits)) stats.misfits[column] = (stats.misfits[column] ?? 0) + n;
}
