/**
 * The sandbox playing Customer.io's reporting webhook: given a receiver's URL and a signing key, it POSTs the events
 * its deliveries make (events.ts) as its clock moves, the way Customer.io does (../shared/customerio-api/
 * reporting-webhooks.md §2–3):
 *
 * - one JSON event per POST, signed: x-cio-timestamp (the clock when sent), x-cio-signature (hex HMAC-SHA256);
 * - success is a 2xx within 4 seconds (real time); anything else fails and is retried with backoff (retryWait), the
 *   first retry an hour later for the statuses and network errors the vendor lists; an event still failing 7 days
 *   after its first try is dropped (expired);
 * - head-of-line: one event at a time, in order; a failing event holds back every later one;
 * - occasionally the same event twice (at-least-once), and events a little out of timestamp order.
 *
 * Retries wait in virtual time: a test moves the clock (advance) to let one happen. Whether a retry is signed again
 * with a new timestamp is not documented [inferred]: by default it is not (the same timestamp and signature), the
 * harder case for a receiver that checks timestamps; `resign` signs each attempt afresh.
 */
import { hash, tagOf, unit } from '../hash.js';
import type { World } from '../world.js';
import { signatureOf } from '../../webhooks/signature.js';
import { deliveryEvents, type EventOptions, type WebhookEvent } from './events.js';

export interface WebhookSenderOptions extends EventOptions {
  /** The receiver's webhook URL (its base URL and path). */
  url: string;
  signingKey: string;
  /** Events happening after this (unix s, virtual) are sent; default: the clock when the sender starts. */
  since?: number;
  /** Real milliseconds a POST may take (default 4000, Customer.io's). */
  timeoutMs?: number;
  /** Share (0..1) of events sent a second time right after they succeed (default 0.02). */
  duplicateShare?: number;
  /** Share (0..1) of events sent after the next one, though it happened before it (default 0.05). */
  disorderShare?: number;
  /** Sign each retry afresh with the clock then (default false: a retry repeats the first attempt's headers). */
  resign?: boolean;
  seed?: number;
}

export type AttemptOutcome = { status: number } | { error: string };

export interface Attempt {
  eventId: string;
  attempt: number;
  /** Virtual clock when it was sent, unix s. */
  at: number;
  outcome: AttemptOutcome;
}

/** Statuses after which Customer.io waits an hour before its first retry [vendor `info.description`]. */
const HOUR_FIRST = new Set([400, 401, 402, 403, 404, 405, 410, 429, 500, 502, 521]);
const DAY = 86_400;
/** Customer.io gives up on an event 7 days after its first try. */
export const GIVE_UP_AFTER = 7 * DAY;

/**
 * Virtual seconds before retry `attempt` (1 = the first retry) after `outcome`. The vendor publishes the hour before
 * the first retry for the listed statuses and for network errors (connection refused, reset, EOF, TLS, DNS), and
 * "exponential backoff" otherwise; the schedule itself is [inferred]: 30 s doubling, or an hour doubling after those,
 * each capped at 6 hours.
 */
export function retryWait(attempt: number, outcome: AttemptOutcome): number {
  const hourFirst = 'error' in outcome ? outcome.error !== 'timeout' : HOUR_FIRST.has(outcome.status);
  const base = hourFirst ? 3600 : 30;
  return Math.min(6 * 3600, base * 2 ** Math.max(0, attempt - 1));
}

interface Queued {
  event: WebhookEvent;
  body: string;
  attempts: number;
  firstTriedAt?: number;
  notBefore: number;
  headers?: { timestamp: string; signature: string };
  /** A second sending of an event already answered 2xx. */
  again?: boolean;
}

const SCAN_BACK = 14 * DAY;

export class WebhookSender {
  /** Every attempt, oldest first (the last 100,000). */
  readonly attempts: Attempt[] = [];
  /** Event ids answered 2xx, in the order they were (a duplicate sent appears twice). */
  readonly delivered: string[] = [];
  /** Event ids given up on after 7 days of failures. */
  readonly expired: string[] = [];
  private queue: Queued[] = [];
  private scannedTo: number;
  private pumping?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly world: World,
    private readonly options: WebhookSenderOptions,
  ) {
    this.scannedTo = options.since ?? world.clock.now();
  }

  /** Events waiting to be sent (the head may be waiting for its retry). */
  get pending(): number {
    return this.queue.length;
  }

  /** Picks up what happened since the last look and sends it (in the background). */
  wake(): void {
    if (this.stopped) return;
    this.scan();
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  /** Sends everything due now; resolves once the queue is empty, or its head waits for a retry's time. */
  async flush(): Promise<void> {
    this.wake();
    while (this.pumping) await this.pumping;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    while (this.pumping) await this.pumping;
  }

  /** The events that happened in (scannedTo, now], in timestamp order but for a few neighbours swapped. */
  private scan(): void {
    const now = this.world.clock.now();
    if (now <= this.scannedTo) return;
    const events: WebhookEvent[] = [];
    for (const stream of [this.world.messages, this.world.transactionalDeliveries]) {
      // A delivery's metrics come up to ~12 days after it was created (opens, then clicks, then conversions).
      const { first, last } = stream.timeline.range(now, this.scannedTo - SCAN_BACK, now);
      for (let k = first; k <= last; k++) events.push(...deliveryEvents(stream, k, this.scannedTo, now, this.options));
    }
    this.scannedTo = now;
    events.sort((a, b) => a.timestamp - b.timestamp || (a.event_id < b.event_id ? -1 : 1));
    const seed = this.options.seed ?? 42;
    for (let i = 0; i + 1 < events.length; i++) {
      if (unit(hash(seed, tagOf(events[i].event_id), 5)) < (this.options.disorderShare ?? 0.05)) {
        [events[i], events[i + 1]] = [events[i + 1], events[i]];
        i++;
      }
    }
    for (const event of events) this.queue.push({ event, body: JSON.stringify(event), attempts: 0, notBefore: 0 });
  }

  private async pump(): Promise<void> {
    while (!this.stopped && this.queue.length) {
      const head = this.queue[0];
      const now = this.world.clock.now();
      if (head.firstTriedAt !== undefined && now - head.firstTriedAt > GIVE_UP_AFTER) {
        this.queue.shift();
        this.expired.push(head.event.event_id);
        continue;
      }
      if (now < head.notBefore) return;
      const outcome = await this.send(head, now);
      if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
        this.queue.shift();
        this.delivered.push(head.event.event_id);
        // At-least-once: now and then the same event again, as after an answer Customer.io did not see.
        if (!head.again && unit(hash(this.options.seed ?? 42, tagOf(head.event.event_id), 9)) < (this.options.duplicateShare ?? 0.02)) {
          this.queue.unshift({ ...head, attempts: 0, firstTriedAt: undefined, headers: undefined, again: true });
        }
        continue;
      }
      head.notBefore = now + retryWait(head.attempts, outcome);
    }
  }

  private async send(item: Queued, now: number): Promise<AttemptOutcome> {
    item.attempts++;
    item.firstTriedAt ??= now;
    if (!item.headers || this.options.resign) {
      const timestamp = String(now);
      item.headers = { timestamp, signature: signatureOf(this.options.signingKey, timestamp, item.body) };
    }
    let outcome: AttemptOutcome;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        body: item.body,
        headers: { 'content-type': 'application/json', 'x-cio-timestamp': item.headers.timestamp, 'x-cio-signature': item.headers.signature },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 4000),
        redirect: 'manual',
      });
      await response.arrayBuffer();
      outcome = { status: response.status };
    } catch (error) {
      const name = (error as Error).name;
      outcome = { error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : ((error as { cause?: { code?: string } }).cause?.code ?? 'network') };
    }
    this.attempts.push({ eventId: item.event.event_id, attempt: item.attempts, at: now, outcome });
    if (this.attempts.length > 100_000) this.attempts.splice(0, this.attempts.length - 100_000);
    return outcome;
  }
}
