/**
 * Deliveries: `/v1/messages` and `/v1/transactional/{id}/messages` are two time-indexed streams of the
 * same object. Engagement timestamps (delivered, opened, clicked, …) are fixed per delivery but lie
 * after `created`, and appear in `metrics` only once the clock has passed them — so re-reading a
 * lookback window sees records change, as it does against the real API.
 * (Transactional deliveries form their own stream; `/v1/messages` does not repeat them — a simplification.)
 */
import { between, deliveryLikeId, hash, pick, tagOf, unit, weightedCycle } from '../hash.js';
import { DAY, Timeline } from '../timeline.js';
import type { Core } from './core.js';

type Json = Record<string, unknown>;

export const MESSAGE_TYPES = ['email', 'webhook', 'twilio', 'whatsapp', 'slack', 'push', 'in_app', 'live_notification'];
const TYPE_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['email', 60], ['push', 12], ['in_app', 6], ['twilio', 8], ['whatsapp', 3], ['slack', 2], ['webhook', 6], ['live_notification', 2],
];
const SUBJECTS = ['Your weekly summary', 'Welcome aboard', 'Your receipt', 'We miss you', 'New features inside', 'Reset your password'];
const OPENABLE = new Set(['email', 'push', 'in_app', 'whatsapp', 'live_notification']);
const DELIVERABLE = new Set(['email', 'push', 'twilio', 'whatsapp']);

/** Where a delivery came from; only the keys that apply are set. */
export interface Origin {
  campaign_id?: number;
  action_id?: number;
  broadcast_id?: number;
  newsletter_id?: number;
  content_id?: number;
  transactional_id?: number;
}

export interface DeliveryFilter {
  types?: Set<string>;
  metric?: string;
  state?: string;
  /** Drafts only (true) or everything but drafts (false); undefined = no filter. */
  drafts?: boolean;
  origin?: (k: number) => boolean;
}

/** `/v1/messages` serves the last 6 months only, silently (live; where the cut lands was never seen: 183 days here). */
export const MESSAGES_RETENTION = 183 * DAY;
/** The per-template route is documented to serve 12 months [inferred: never seen live]: 365 days here. */
export const TRANSACTIONAL_RETENTION = 365 * DAY;

export class DeliveryStream {
  readonly timeline: Timeline;
  private readonly tag: number;
  private readonly cycle: string[];

  constructor(
    private readonly core: Core,
    readonly name: string,
    count: number,
    readonly originOf: (k: number) => Origin,
    onlyType?: string,
    /** Seconds the API serves back from now (MESSAGES_RETENTION, TRANSACTIONAL_RETENTION): older deliveries are not served. */
    retention?: number,
  ) {
    this.timeline = new Timeline(count, core.start, retention);
    this.tag = tagOf(name);
    this.cycle = onlyType ? [onlyType] : weightedCycle(TYPE_WEIGHTS, hash(core.seed, this.tag));
  }

  private h(k: number, salt: number): number {
    return hash(this.core.seed, this.tag, k, salt);
  }

  type(k: number): string {
    return this.cycle[k % this.cycle.length];
  }

  id(k: number): string {
    return deliveryLikeId(this.tag & 0xff, k, this.h(0, 0), this.timeline.at(k));
  }

  /** Every metric timestamp of delivery k, including those still in the future. */
  private schedule(k: number): Record<string, number> {
    const created = this.timeline.at(k);
    const type = this.type(k);
    const fate = unit(this.h(k, 1));
    const m: Record<string, number> = { created };
    if (fate < 0.01) return { ...m, failed: created + between(this.h(k, 2), 1, 60) };
    if (fate < 0.02) return { ...m, drafted: created };
    const sent = created + between(this.h(k, 3), 1, 30);
    m.sent = sent;
    let reached = sent;
    if (DELIVERABLE.has(type)) {
      if (unit(this.h(k, 4)) < 0.03) return { ...m, bounced: sent + between(this.h(k, 5), 5, 600) };
      reached = m.delivered = sent + between(this.h(k, 6), 1, 20);
    }
    if (OPENABLE.has(type) && unit(this.h(k, 7)) < 0.45) {
      // Opens arrive from a minute to about six days later: a long tail, like real mail.
      const opened = reached + Math.floor(60 * 2 ** (13 * unit(this.h(k, 8))));
      m.opened = opened;
      m[unit(this.h(k, 9)) < 0.85 ? 'human_opened' : 'prefetch_opened'] = opened;
      if (unit(this.h(k, 10)) < 0.3) {
        const clicked = opened + between(this.h(k, 11), 5, 2 * DAY);
        m.clicked = clicked;
        m.human_clicked = clicked;
        // Live keys are open-ended: a click also stamps the link clicked (`link:<n>`, `human_link:<n>`).
        const link = 1 + (this.h(k, 18) % 4);
        m[`link:${link}`] = clicked;
        m[`human_link:${link}`] = clicked;
        if (unit(this.h(k, 12)) < 0.2) m.converted = clicked + between(this.h(k, 13), 60, 3 * DAY);
      }
      if (unit(this.h(k, 14)) < 0.01) m.unsubscribed = opened + between(this.h(k, 15), 10, DAY);
      if (unit(this.h(k, 16)) < 0.004) m.spammed = opened + between(this.h(k, 17), 10, DAY);
    }
    return m;
  }

  /** The metrics the API shows at `now`: only the timestamps already passed. */
  metrics(k: number, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, at] of Object.entries(this.schedule(k))) if (at <= now) out[key] = at;
    return out;
  }

  state(metrics: Record<string, number>): string {
    if (metrics.failed !== undefined) return 'failed';
    if (metrics.drafted !== undefined) return 'drafted';
    if (metrics.sent !== undefined) return 'sent';
    return 'attempted';
  }

  accepts(filter: DeliveryFilter, now: number): (k: number) => boolean {
    return (k) => {
      if (filter.types && !filter.types.has(this.type(k))) return false;
      if (filter.origin && !filter.origin(k)) return false;
      if (filter.drafts !== undefined || filter.metric !== undefined || filter.state !== undefined) {
        const metrics = this.metrics(k, now);
        if (filter.drafts !== undefined && (metrics.drafted !== undefined) !== filter.drafts) return false;
        if (filter.metric !== undefined && metrics[filter.metric] === undefined) return false;
        if (filter.state !== undefined && this.state(metrics) !== filter.state) return false;
      }
      return true;
    };
  }

  record(k: number, now: number): Json {
    const people = this.core.people;
    const person = people.count > 0 ? this.h(k, 20) % people.count : -1;
    const identifiers = person >= 0 ? people.identifiers(person) : { cio_id: null, email: null, id: null };
    const type = this.type(k);
    const id = this.id(k);
    const created = this.timeline.at(k);
    const metrics = this.metrics(k, now);
    const origin = this.originOf(k);
    const h = this.h(k, 21);
    const recipient =
      type === 'email' ? identifiers.email ?? `${identifiers.cio_id}@unknown.example.com`
        : type === 'twilio' || type === 'whatsapp' ? `+1555${String(h % 10_000_000).padStart(7, '0')}`
          : type === 'webhook' ? 'https://hooks.example.com/delivery'
            : type === 'slack' ? '#alerts'
              : identifiers.cio_id;
    const record: Json = {
      id,
      // Live: the suffix moves to the latest metric once engagement lands (a change marker nothing filters on).
      deduplicate_id: `${id}:${Math.max(created, ...Object.values(metrics))}`,
      created,
      customer_id: identifiers.id,
      customer_identifiers: identifiers,
      recipient,
      subject: type === 'email' ? pick(SUBJECTS, h) : null,
      type,
      action_id: origin.action_id ?? null,
      parent_action_id: null,
      campaign_id: origin.campaign_id ?? null,
      broadcast_id: origin.broadcast_id ?? null,
      newsletter_id: origin.newsletter_id ?? null,
      content_id: origin.content_id ?? null,
      transactional_id: origin.transactional_id ?? null,
      trigger_event_id: origin.transactional_id !== undefined ? `01HT${(h >>> 4).toString(36).toUpperCase().padStart(8, '0')}` : null,
      failure_message: metrics.failed !== undefined ? 'Recipient mailbox unavailable' : null,
      forgotten: false,
      metrics,
    };
    // Older deliveries carry the template id under its former name (README: accept both).
    record[h % 10 === 0 ? 'message_template_id' : 'msg_template_id'] = 1 + (h % 40);
    return record;
  }
}
