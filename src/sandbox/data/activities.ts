/**
 * `/v1/activities`: a time-indexed stream with 30-day retention, served newest first. An activity's
 * type comes from a seeded weighted cycle over its index, its person from a hash, and 2% belong to
 * deleted profiles (listed only with `deleted=true`). Filters are predicates on the index, so a
 * filtered page is a short walk, never a scan of stored records.
 */
import { hash, pick, tagOf, ulidLike, weightedCycle } from '../hash.js';
import { type IndexRange, THIRTY_DAYS, Timeline } from '../timeline.js';
import type { ActivityQuery } from '../types.js';
import type { Core } from './core.js';

const TYPE_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['event', 40], ['page', 24], ['screen', 8], ['attribute_change', 20], ['sent_email', 20], ['delivered_email', 18],
  ['opened_email', 14], ['clicked_email', 6], ['bounced_email', 2], ['failed_email', 1], ['unsubscribed_email', 1],
  ['profile_create', 5], ['profile_delete', 1], ['profile_merge', 1], ['device_change', 4], ['webhook_event', 2],
  ['sent_push', 8], ['delivered_push', 3], ['opened_push', 3], ['sent_in_app', 4], ['opened_in_app', 2],
  ['sent_twilio', 4], ['delivered_twilio', 3], ['sent_whatsapp', 1], ['sent_slack', 1], ['sent_webhook', 2], ['sent_action', 1],
];
export const ACTIVITY_TYPES: readonly string[] = TYPE_WEIGHTS.map(([type]) => type);

const EVENTS = ['purchase', 'signup', 'added_to_cart', 'trial_started', 'invited_teammate', 'upgraded'];
const PAGES = ['/', '/pricing', '/docs', '/blog/launch', '/account', '/checkout'];
const SCREENS = ['Home', 'Settings', 'Cart', 'Profile'];
const ATTRIBUTES = ['plan', 'country', 'company', 'first_name'];
const CHANNELS = ['email', 'push', 'in_app', 'twilio', 'whatsapp', 'slack', 'webhook', 'action'];

const T_ACT = tagOf('activities');
const T_CUSTOMER = tagOf('activity-customer');
const T_DELETED = tagOf('activity-deleted');

type Json = Record<string, unknown>;

export interface ActivityFilter extends ActivityQuery {
  /** Only this person's activities (index into People), -2 for "nobody". */
  person?: number;
}

export class Activities {
  readonly timeline: Timeline;
  private readonly cycle: string[];
  private readonly salt: number;

  constructor(private readonly core: Core) {
    this.timeline = new Timeline(core.sizes.activities, core.start, THIRTY_DAYS);
    this.cycle = weightedCycle(TYPE_WEIGHTS, hash(core.seed, T_ACT));
    this.salt = hash(core.seed, T_ACT, 1);
  }

  range(now: number): IndexRange {
    return this.timeline.range(now);
  }

  type(k: number): string {
    return this.cycle[k % this.cycle.length];
  }

  deletedProfile(k: number): boolean {
    return hash(this.core.seed, T_DELETED, k) % 50 === 0;
  }

  person(k: number): number {
    const count = this.core.people.count;
    return this.deletedProfile(k) || count === 0 ? -1 : hash(this.core.seed, T_CUSTOMER, k) % count;
  }

  name(k: number, type = this.type(k)): string | null {
    const h = hash(this.core.seed, T_ACT, k, 2);
    if (type === 'event' || type === 'webhook_event') return pick(EVENTS, h);
    if (type === 'page') return pick(PAGES, h);
    if (type === 'screen') return pick(SCREENS, h);
    return null;
  }

  accepts(filter: ActivityFilter): (k: number) => boolean {
    const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : undefined;
    return (k) => {
      if (!filter.includeDeleted && this.deletedProfile(k)) return false;
      const type = this.type(k);
      if (types && !types.has(type)) return false;
      if (filter.name !== undefined && this.name(k, type) !== filter.name) return false;
      if (filter.person !== undefined && this.person(k) !== filter.person) return false;
      return true;
    };
  }

  id(k: number): string {
    return ulidLike(this.timeline.at(k), k, this.salt);
  }

  record(k: number): Json {
    const seed = this.core.seed;
    const timestamp = this.timeline.at(k);
    const type = this.type(k);
    const person = this.person(k);
    const people = this.core.people;
    const identifiers =
      person >= 0 ? people.identifiers(person) : { id: null, email: null, cio_id: `ff${(hash(seed, T_DELETED, k, 1) >>> 8).toString(16).padStart(6, '0')}` };
    const channel = CHANNELS.find((c) => type.endsWith(`_${c}`)) ?? null;
    const deliveryId = channel ? Buffer.from(`act-${k}-${hash(seed, T_ACT, k, 3)}`).toString('base64url') : null;
    const h = hash(seed, T_ACT, k, 4);
    const name = this.name(k, type);
    let data: Json = {};
    let url: string | null = null;
    if (type === 'attribute_change') {
      const attribute = pick(ATTRIBUTES, h);
      data = { [attribute]: { from: `old-${h % 7}`, to: `new-${h % 11}` } };
    } else if (type === 'event' || type === 'webhook_event') {
      data = { price: String((h % 20000) / 100), sku: `SKU-${h % 997}`, quantity: 1 + (h % 4) };
    } else if (type === 'page') {
      url = `https://www.example.com${name}`;
      data = { referrer: h % 2 === 0 ? 'https://www.google.com/' : null };
    } else if (type === 'screen') {
      data = { build: `1.${h % 9}.${h % 13}` };
    } else if (channel) {
      data = { delivery_id: deliveryId, [type.replace(`_${channel}`, '')]: timestamp };
      if (type === 'clicked_email') url = `https://www.example.com/promo?c=${h % 50}`;
      if (type.startsWith('failed_') || type.startsWith('bounced_')) data.failure_message = 'Mailbox unavailable';
    } else if (type === 'profile_merge') {
      data = { merged_cio_id: `aa${(h >>> 8).toString(16).padStart(6, '0')}` };
    } else if (type === 'device_change') {
      data = { platform: h % 2 === 0 ? 'ios' : 'android', token: (h * 7919).toString(36) };
    }
    return {
      id: this.id(k),
      type,
      name,
      timestamp,
      customer_id: identifiers.id,
      customer_identifiers: identifiers,
      delivery_id: deliveryId,
      delivery_type: channel,
      url,
      data,
    };
  }
}
