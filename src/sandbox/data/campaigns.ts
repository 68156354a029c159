/**
 * Campaigns and API-triggered broadcasts, and their actions. Campaign ids are odd integers and
 * broadcast ids even ones (they share an id space in Customer.io). Action ids are
 * `parentId * 1000 + n`; the actions of every second campaign carry their id as a string, because the
 * API documents `id` as "int or string" and a connector must cope with both.
 */
import { between, pick } from '../hash.js';
import { DAY } from '../timeline.js';
import { type Core, ListSet } from './core.js';

const CAMPAIGN_NAMES = ['Onboarding', 'Trial ending', 'Win-back', 'Weekly digest', 'Cart reminder', 'Feature tour', 'Renewal', 'NPS survey'];
const BROADCAST_NAMES = ['Outage notice', 'Flash sale', 'Price change', 'Event invite', 'Policy update'];
const ACTION_TYPES = ['email', 'email', 'email', 'push', 'twilio', 'webhook', 'in_app', 'slack'];
const TAGS = ['lifecycle', 'marketing', 'product', 'retention', 'q1', 'experiment'];
const TRIGGERS = ['segment', 'event', 'date', 'form'];
const TIMEZONES = ['America/New_York', 'Europe/Berlin', 'UTC', 'America/Los_Angeles'];

type Json = Record<string, unknown>;

export class Campaigns {
  readonly set: ListSet;
  readonly actionSet: ListSet;
  readonly actionsPer: number;

  constructor(
    private readonly core: Core,
    readonly broadcast: boolean,
  ) {
    const s = core.sizes;
    const count = broadcast ? s.broadcasts : s.campaigns;
    this.actionsPer = Math.max(0, Math.min(999, broadcast ? s.actionsPerBroadcast : s.actionsPerCampaign));
    const offset = broadcast ? 2 : 1;
    this.set = new ListSet(core, broadcast ? 'broadcasts' : 'campaigns', count, (j) => 2 * j + offset, (id) => (id - offset) / 2);
    // Actions as one kind: index = parent index * actionsPer + n.
    this.actionSet = new ListSet(core, broadcast ? 'broadcast_actions' : 'campaign_actions', count * this.actionsPer, (a) => this.actionNumber(a), (id) => this.actionIndexOf(id));
  }

  private actionNumber(a: number): number {
    const parent = Math.floor(a / Math.max(1, this.actionsPer));
    return this.set.idOf(parent) * 1000 + (a % this.actionsPer) + 1;
  }

  private actionIndexOf(id: number): number {
    const parentId = Math.floor(id / 1000);
    const n = (id % 1000) - 1;
    const parent = this.set.find(parentId);
    return parent < 0 || n < 0 || n >= this.actionsPer ? -1 : parent * this.actionsPer + n;
  }

  /** The id as the API sends it: a string for the actions of every second campaign. */
  actionId(a: number): number | string {
    const id = this.actionNumber(a);
    const parent = Math.floor(a / this.actionsPer);
    return !this.broadcast && parent % 2 === 1 ? String(id) : id;
  }

  /** The index of a live action of parent j by its id (number or digits), or -1 (unknown, deleted, another parent's). */
  findAction(j: number, actionId: number): number {
    const a = this.actionSet.find(actionId);
    return a >= 0 && Math.floor(a / this.actionsPer) === j ? a : -1;
  }

  liveActionIndexes(j: number): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.actionsPer; n++) {
      const a = j * this.actionsPer + n;
      if (!this.core.churn.isDeleted(this.actionSet.kind, a)) out.push(a);
    }
    return out;
  }

  record(j: number): Json {
    const set = this.set;
    const id = set.idOf(j);
    const created = set.created(j);
    const updated = set.updated(j);
    const h = set.h(j);
    const state = this.broadcast ? pick(['active', 'draft'], h) : pick(['running', 'running', 'running', 'draft', 'stopped'], h);
    const started = state !== 'draft';
    const actions = this.liveActionIndexes(j).map((a) => ({ type: this.actionType(a), id: this.actionId(a) }));
    const base: Json = {
      id,
      deduplicate_id: `${id}:${updated}`,
      name: `${pick(this.broadcast ? BROADCAST_NAMES : CAMPAIGN_NAMES, h >>> 3)} ${id}`,
      created,
      updated,
      active: state === 'running' || state === 'active',
      state,
      actions,
      // Live: an untagged campaign or broadcast has `tags: null`, not [] (one in three here).
      tags: (h >>> 21) % 3 === 0 ? null : [pick(TAGS, h >>> 6), pick(TAGS, h >>> 9)].filter((t, i, all) => all.indexOf(t) === i),
      first_started: started ? created + between(set.h(j, 1), 60, 5 * DAY) : 0,
      created_by: 'ops@example.com',
    };
    if (this.broadcast) return { ...base, type: 'triggered_broadcast' };
    const trigger = pick(TRIGGERS, h >>> 12);
    return {
      ...base,
      description: `Sandbox campaign ${id}`,
      trigger_segment_ids: trigger === 'segment' ? [1 + (h % Math.max(1, this.core.sizes.segments))] : [],
      filter_segment_ids: h % 3 === 0 ? [1] : [],
      type: trigger,
      date_attribute: trigger === 'date' ? 'trial_ends_at' : null,
      event_name: trigger === 'event' ? 'purchase' : null,
      frequency: pick(['once', 'continuous'], h >>> 15),
      msg_templates: actions.map((action) => ({ id: action.id, type: action.type })),
      start_hour: h % 24,
      start_minutes: (h >>> 5) % 4 * 15,
      timezone: pick(TIMEZONES, h >>> 18),
      use_customer_timezone: h % 2 === 0,
    };
  }

  actionType(a: number): string {
    return pick(ACTION_TYPES, this.actionSet.h(a));
  }

  actionRecord(a: number): Json {
    const set = this.actionSet;
    const j = Math.floor(a / this.actionsPer);
    const n = a % this.actionsPer;
    const parentId = this.set.idOf(j);
    const created = Math.max(this.set.created(j), set.created(a));
    const updated = Math.max(created, set.updated(a));
    const id = this.actionId(a);
    const type = this.actionType(a);
    const h = set.h(a, 1);
    const email = type === 'email';
    return {
      id,
      [this.broadcast ? 'broadcast_id' : 'campaign_id']: parentId,
      parent_action_id: n === 0 ? null : this.actionNumber(a - 1),
      deduplicate_id: `${id}:${updated}`,
      name: `${type} step ${n + 1}`,
      type,
      created,
      updated,
      body: email ? `<p>Hello {{customer.first_name}}, step ${n + 1} of ${parentId}.</p>` : `Message ${n + 1}`,
      layout: email ? '<html><body>{{content}}</body></html>' : null,
      sending_state: pick(['automatic', 'automatic', 'draft', 'off'], h),
      language: h % 5 === 0 ? 'fr' : '',
      from: email ? 'Sandbox <hello@example.com>' : null,
      from_id: email ? 1 : null,
      reply_to: email ? 'support@example.com' : null,
      reply_to_id: email ? 2 : null,
      recipient: email ? '{{customer.email}}' : type === 'twilio' ? '{{customer.phone}}' : null,
      subject: email ? `Step ${n + 1}: news from campaign ${parentId}` : null,
      preheader_text: email ? 'A short preview' : null,
      bcc: null,
      fake_bcc: false,
      preprocessor: email ? 'premailer' : null,
      headers: email ? [{ name: 'X-Sandbox', value: String(parentId) }] : [],
      url: type === 'webhook' ? 'https://hooks.example.com/campaign' : null,
      method: type === 'webhook' ? 'POST' : null,
    };
  }
}
