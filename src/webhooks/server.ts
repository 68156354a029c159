/**
 * The reporting-webhook receiver: an HTTP server facing the internet (through a TLS proxy) that takes Customer.io's
 * signed events into a durable store, and serves them back to the connector. Routes:
 *
 *   POST <path>    the webhook (intake.ts)
 *   GET  /events   the read API, with the read token (read-api.ts)
 *   GET  /healthz  200 while events can be stored, 503 and why otherwise (for a platform's probes)
 *   GET  /metrics  Prometheus text (metrics.ts); wants the metrics token when one is set
 *
 * Bounded against slow and greedy clients: a whole request within request_timeout_seconds, headers within
 * headers_timeout_seconds, 16 KB of headers, max_concurrent_requests webhook requests and max_buffered_bytes of
 * bodies at once, a fixed number of connections; idle keep-alive connections close after 5 s.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { ReceiverConfig } from './config.js';
import { answer, Intake, refuse } from './intake.js';
import { ReceiverMetrics } from './metrics.js';
import { bearer, ReadApi } from './read-api.js';
import type { Files } from './store/files.js';
import { StoreHolder } from './store/holder.js';

export interface ReceiverOptions {
  clock?: Clock;
  /** The store's file operations (tests make them fail like a full disk). */
  files?: Files;
  /** Human log lines (the command writes them to stderr). */
  log?: (message: string) => void;
  /** How often retention runs (ms, default a minute). */
  retentionEveryMs?: number;
  reopenMs?: number;
}

/** How long after a failed write /healthz keeps answering 503 (then 200 again, to let traffic test the store). */
const FAILING_FOR_MS = 30_000;
const MAX_CONNECTIONS = 1024;

export class Receiver {
  readonly metrics = new ReceiverMetrics();
  readonly holder: StoreHolder;
  private readonly server: Server;
  private readonly intake: Intake;
  private readonly reads: ReadApi;
  private readonly clock: Clock;
  private retention?: NodeJS.Timeout;
  url = '';

  private constructor(
    readonly config: ReceiverConfig,
    private readonly options: ReceiverOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.holder = new StoreHolder({
      dir: config.storeDir,
      dedupeWindowEvents: config.dedupeWindowEvents,
      files: options.files,
      clock: this.clock,
      segmentBytes: config.segmentBytes,
      segmentSeconds: config.segmentSeconds,
      retentionSeconds: config.retentionSeconds,
      retentionBytes: config.retentionBytes,
      reopenMs: options.reopenMs,
      onCommit: (seconds, events) => this.metrics.commit(seconds, events),
      log: options.log,
    });
    this.intake = new Intake(config, this.holder, this.metrics, this.clock);
    this.reads = new ReadApi(this.holder, this.metrics, config.readToken);
    this.server = createServer(
      {
        requestTimeout: config.requestTimeoutMs,
        headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
        // Node checks both timeouts only this often (30 s by default): a slow sender would hold on that much longer.
        connectionsCheckingInterval: 1_000,
        keepAliveTimeout: 5_000,
        maxHeaderSize: 16 * 1024,
      },
      (req, res) => {
        this.route(req, res).catch((error: unknown) => {
          // A bug, never a secret: the message of an error of this code, without the request.
          options.log?.(`internal error: ${error instanceof Error ? error.message : String(error)}`);
          answer(res, 500, { error: 'internal', message: 'internal error' }, { connection: 'close' });
        });
      },
    );
    this.server.maxConnections = MAX_CONNECTIONS;
    // A malformed request (bad headers, a timeout before the headers): drop the connection without a word.
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  /**
   * Listens, then opens the store (or keeps trying in the background); resolves once both are done. Listening first:
   * while a large store recovers and rebuilds its duplicate index, events are answered 503 (retried soon) rather than
   * refused connections (which Customer.io retries only an hour later).
   */
  static async start(config: ReceiverConfig, options: ReceiverOptions = {}): Promise<Receiver> {
    const receiver = new Receiver(config, options);
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(config.port, config.host, () => {
        receiver.server.off('error', reject);
        resolve();
      });
    });
    const address = receiver.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    receiver.url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
    await receiver.holder.open();
    await receiver.runRetention();
    receiver.retention = setInterval(() => void receiver.runRetention(), options.retentionEveryMs ?? 60_000);
    receiver.retention.unref();
    return receiver;
  }

  /** Stops taking requests, lets those in progress end (up to `graceMs`), and closes the store. */
  async close(graceMs = 10_000): Promise<void> {
    clearInterval(this.retention);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (this.metrics.inflight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.server.closeAllConnections();
    await closed;
    await this.holder.close();
  }

  /** What /healthz says: the store open and its last write not failed lately. */
  health(): { ok: boolean; body: Record<string, unknown> } {
    const journal = this.holder.journal;
    if (!journal) return { ok: false, body: { status: 'failing', reason: this.holder.openFailure ?? 'the store is not open yet' } };
    const failing = journal.failing;
    if (failing && this.clock() - failing.since < FAILING_FOR_MS) return { ok: false, body: { status: 'failing', reason: failing.reason } };
    return { ok: true, body: { status: 'ok', store_id: journal.storeId, first: journal.first, end: journal.committed } };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Only the path is looked at; it is compared, never used to find anything on disk.
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    const method = req.method ?? 'GET';
    if (path === this.config.path) {
      if (method !== 'POST') return refuse(res, this.metrics, 405, 'method_not_allowed', 'the webhook takes POST');
      return this.intake.handle(req, res);
    }
    const known = path === '/healthz' || path === '/metrics' || path === '/events';
    if (!known) return refuse(res, this.metrics, 404, 'not_found', 'not found');
    if (method !== 'GET' && method !== 'HEAD') return refuse(res, this.metrics, 405, 'method_not_allowed', `${path} takes GET`);
    if (path === '/healthz') {
      const { ok, body } = this.health();
      return answer(res, ok ? 200 : 503, body);
    }
    if (path === '/metrics') {
      if (this.config.metricsToken && !bearer(req, this.config.metricsToken)) {
        return refuse(res, this.metrics, 401, 'metrics_unauthorized', '/metrics wants the metrics token as a bearer token');
      }
      const journal = this.holder.journal;
      const store = journal && { first: journal.first, end: journal.committed, bytes: journal.bytes, failing: !this.health().ok };
      const text = this.metrics.text(store, this.holder.seen.bytes);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    return this.reads.handle(req, res, new URLSearchParams(query === -1 ? '' : target.slice(query + 1)));
  }

  private async runRetention(): Promise<void> {
    const journal = this.holder.journal;
    if (!journal) return;
    try {
      this.metrics.retentionDroppedBytes += await journal.enforceRetention();
    } catch (error) {
      this.options.log?.(`retention failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; it runs again in a minute`);
    }
  }
}
