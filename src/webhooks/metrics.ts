/**
 * The receiver's counters, as Prometheus text (`GET /metrics`): what was received and stored, duplicates, what was
 * rejected and why, how long fsyncs take, how large the store is. Labels are fixed words from this code only: no
 * value a request brings (a path, an event_id, a header) ever becomes a label, so a sender cannot grow them.
 */

export type Rejection =
  | 'missing_signature'
  | 'malformed_signature'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'too_large'
  | 'busy'
  | 'unstorable'
  | 'not_found'
  | 'method_not_allowed'
  | 'read_unauthorized'
  | 'metrics_unauthorized';

/** fsync seconds buckets: from a fast SSD's 0.5 ms to a struggling disk's seconds (the 4 s timeout is the wall). */
const FSYNC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4];

export interface StoreGauges {
  first: number;
  end: number;
  bytes: number;
  failing: boolean;
}

export class ReceiverMetrics {
  stored = 0;
  duplicates = 0;
  readonly rejected = new Map<Rejection, number>();
  readonly flagged = new Map<string, number>();
  readonly reads = new Map<string, number>();
  retentionDroppedBytes = 0;
  inflight = 0;
  private readonly fsyncCounts = new Array<number>(FSYNC_BUCKETS.length).fill(0);
  private fsyncSum = 0;
  private fsyncTotal = 0;
  private batchEvents = 0;

  reject(reason: Rejection): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  flag(flag: string): void {
    this.flagged.set(flag, (this.flagged.get(flag) ?? 0) + 1);
  }

  read(status: number): void {
    const key = String(status);
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
  }

  commit(seconds: number, events: number): void {
    this.fsyncTotal++;
    this.fsyncSum += seconds;
    this.batchEvents += events;
    for (let i = 0; i < FSYNC_BUCKETS.length; i++) if (seconds <= FSYNC_BUCKETS[i]) this.fsyncCounts[i]++;
  }

  text(store: StoreGauges | undefined, seenBytes: number): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[labels: string, value: number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('cio_webhooks_received_total', 'counter', 'Authentic events answered 2xx, by outcome (stored, or a duplicate of one stored).', [
      ['{outcome="stored"}', this.stored],
      ['{outcome="duplicate"}', this.duplicates],
    ]);
    metric('cio_webhooks_duplicates_total', 'counter', 'Authentic events whose event_id was already stored (answered 2xx, not stored again).', [['', this.duplicates]]);
    metric('cio_webhooks_rejected_total', 'counter', 'Requests not answered 2xx, by reason.', [...this.rejected].map(([reason, n]) => [`{reason="${reason}"}`, n]));
    metric('cio_webhooks_flagged_total', 'counter', 'Stored events with something odd about them (stored as received), by flag.', [...this.flagged].map(([flag, n]) => [`{flag="${flag}"}`, n]));
    metric('cio_webhooks_reads_total', 'counter', 'Requests to the read API, by status.', [...this.reads].map(([status, n]) => [`{status="${status}"}`, n]));
    lines.push('# HELP cio_webhooks_fsync_seconds Time of each fdatasync of a batch of events (group commit).', '# TYPE cio_webhooks_fsync_seconds histogram');
    FSYNC_BUCKETS.forEach((bound, i) => lines.push(`cio_webhooks_fsync_seconds_bucket{le="${bound}"} ${this.fsyncCounts[i]}`));
    lines.push(`cio_webhooks_fsync_seconds_bucket{le="+Inf"} ${this.fsyncTotal}`, `cio_webhooks_fsync_seconds_sum ${this.fsyncSum}`, `cio_webhooks_fsync_seconds_count ${this.fsyncTotal}`);
    metric('cio_webhooks_commit_events_total', 'counter', 'Events written by all batches (÷ fsync count = events per fsync).', [['', this.batchEvents]]);
    metric('cio_webhooks_inflight_requests', 'gauge', 'Webhook requests being read or stored now.', [['', this.inflight]]);
    metric('cio_webhooks_retention_dropped_bytes_total', 'counter', 'Bytes of events dropped by retention.', [['', this.retentionDroppedBytes]]);
    metric('cio_webhooks_duplicate_index_bytes', 'gauge', 'Memory of the duplicate index (fixed at start).', [['', seenBytes]]);
    if (store) {
      metric('cio_webhooks_store_first_position', 'gauge', 'Oldest position a reader can resume after.', [['', store.first]]);
      metric('cio_webhooks_store_end_position', 'gauge', 'Committed end of the journal.', [['', store.end]]);
      metric('cio_webhooks_store_bytes', 'gauge', 'Bytes of events kept.', [['', store.bytes]]);
    }
    metric('cio_webhooks_store_up', 'gauge', '1 while events can be stored, 0 while the store fails.', [['', store && !store.failing ? 1 : 0]]);
    return `${lines.join('\n')}\n`;
  }
}
