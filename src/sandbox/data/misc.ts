/**
 * The static reference lists: workspaces, exports, sender identities, subscription topics, object
 * types, reporting webhooks, collections, ESP suppressions and IP addresses. They do not change over
 * time; their awkward shapes are the point (`{"exports": null}` and the like when empty, as live, string object-type ids, a workspace
 * id that is a string on the EU host, webhook URLs with `user:pass@` credentials in them).
 */
import { between, hash, pick, tagOf } from '../hash.js';
import { DAY } from '../timeline.js';
import type { Region } from '../types.js';
import type { Core } from './core.js';

type Json = Record<string, unknown>;

export const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;
export type SuppressionType = (typeof SUPPRESSION_TYPES)[number];

const WEBHOOK_EVENTS = ['email_sent', 'email_delivered', 'email_opened', 'email_clicked', 'email_bounced', 'push_sent', 'sms_sent', 'webhook_failed'];
const TOPICS = ['Product updates', 'Newsletter', 'Promotions', 'Security alerts', 'Events', 'Surveys'];
const CHANNELS = ['email', 'sms', 'push', 'whatsapp', 'in_app'];
const SENDERS = ['+15551234567', '+15559876543', 'SANDBOX', 'MG0123456789abcdef0123456789abcdef'];
const OBJECT_TYPES: Array<[string, string, string]> = [['Companies', 'Company', 'building'], ['Accounts', 'Account', 'wallet'], ['Concerts', 'Concert', 'calendar'], ['Courses', 'Course', 'book']];
const REASONS: Record<SuppressionType, string> = {
  bounces: '550 5.1.1 The email account that you tried to reach does not exist',
  blocks: '554 5.7.1 Message rejected due to local policy',
  spam_reports: 'Recipient marked a message as spam',
  invalid_emails: 'Not a valid email address',
};

export class Misc {
  constructor(private readonly core: Core) {}

  private h(kind: string, j: number, salt = 0): number {
    return hash(this.core.seed, tagOf(kind), j, salt);
  }

  private past(kind: string, j: number, maxDays = 300): number {
    return this.core.start - between(this.h(kind, j, 9), DAY, maxDays * DAY);
  }

  /** The key's workspace. Its id is a number on the US host and a string on the EU host (README: coerce). */
  workspaces(region: Region): Json {
    const messages = this.core.sizes.messages + this.core.sizes.deliveries;
    return {
      workspaces: [
        {
          id: region === 'us' ? 13 : '14',
          name: region === 'us' ? 'Sandbox (US)' : 'Sandbox (EU)',
          messages_sent: messages,
          billable_messages_sent: Math.floor(messages * 0.75),
          people: this.core.people.count,
          object_types: this.core.sizes.objectTypes,
          objects: this.core.sizes.objectTypes * this.core.sizes.objectsPerType,
        },
      ],
    };
  }

  /** `{"exports": null}` when there are none: null, not []. */
  exports(): Json {
    const n = this.core.sizes.exports;
    if (n === 0) return { exports: null };
    return {
      exports: Array.from({ length: n }, (_, j) => {
        const id = 100 + j;
        const created = this.past('exports', j);
        const updated = created + between(this.h('exports', j, 1), 10, 3600);
        const status = pick(['done', 'done', 'done', 'pending', 'failed'], this.h('exports', j));
        return {
          id,
          deduplicate_id: `${id}:${updated}`,
          type: j % 2 === 0 ? 'customers' : 'deliveries',
          failed: status === 'failed',
          status,
          total: status === 'done' ? between(this.h('exports', j, 2), 10, 50_000) : 0,
          downloads: this.h('exports', j, 3) % 5,
          user_id: 1 + (j % 3),
          user_email: 'ops@example.com',
          description: j % 2 === 0 ? 'Customers in segment 1' : 'Deliveries of campaign 1',
          created_at: created,
          updated_at: updated,
        };
      }),
    };
  }

  senderIdentity(j: number): Json {
    const id = 1 + j;
    const phone = j % 4 === 3;
    const name = pick(['Sandbox', 'Support', 'Billing', 'News'], j);
    const email = `${name.toLowerCase()}${j > 3 ? j : ''}@example.com`;
    return {
      id,
      deduplicate_id: `${id}:${this.past('sender_identities', j)}`,
      name,
      email: phone ? null : email,
      address: phone ? null : `${name} <${email}>`,
      template_type: phone ? 'phone' : 'email',
      auto_generated: j === 0,
      phone: phone ? `+1555000${String(j).padStart(4, '0')}` : null,
      // Every third sender is hidden: listed only with hidden=true.
      hidden: j % 3 === 2,
    };
  }

  topics(): Json {
    return {
      topics: Array.from({ length: this.core.sizes.subscriptionTopics }, (_, j) => ({
        id: j + 1,
        identifier: `topic_${j + 1}`,
        name: TOPICS[j] ?? `Topic ${j + 1}`,
        description: `Messages about ${(TOPICS[j] ?? `topic ${j + 1}`).toLowerCase()}`,
        subscribed_by_default: j % 2 === 0,
      })),
    };
  }

  /** `{"channels": []}` when there are none (the only answer seen live). */
  channels(): Json {
    return {
      channels: Array.from({ length: this.core.sizes.subscriptionChannels }, (_, j) => {
        const type = CHANNELS[j % CHANNELS.length];
        return { id: j + 1, type, name: `${type[0].toUpperCase()}${type.slice(1)}${j >= CHANNELS.length ? ` ${j + 1}` : ''}`, description: `${type} messages`, subscribed_by_default: type !== 'sms' };
      }),
    };
  }

  /** How many people have opt-outs: `sizes.optouts`, at most everyone. */
  optoutCount(): number {
    return Math.min(this.core.sizes.optouts, this.core.people.count);
  }

  /**
   * Opt-out n: a person (spread over everyone, in person order) and the senders they opted out of, one or two. Its
   * `customer_id` is the person's `id`, "" for a person without one [inferred: the API's people search does the same].
   */
  optout(n: number): Json {
    const people = this.core.people;
    const person = Math.floor((n * people.count) / Math.max(1, this.optoutCount()));
    const h = this.h('optouts', n);
    const entries = [{ channel: h % 3 === 0 ? 'whatsapp' : 'sms', from: pick(SENDERS, h >>> 2) }];
    if (h % 4 === 1) entries.push({ channel: 'sms', from: pick(SENDERS, (h >>> 2) + 1) });
    return { customer_id: people.id(person) ?? '', cio_id: people.cioId(person), optouts: entries };
  }

  /** Object type ids are integers sent as strings. */
  objectTypes(): Json {
    return {
      types: Array.from({ length: this.core.sizes.objectTypes }, (_, j) => {
        const [name, singular, icon] = OBJECT_TYPES[j % OBJECT_TYPES.length];
        const suffix = j < OBJECT_TYPES.length ? '' : ` ${j + 1}`;
        return {
          id: String(j + 1),
          name: name + suffix,
          singular_name: singular + suffix,
          slug: (name + suffix).toLowerCase().replace(/ /g, '-'),
          singular_slug: (singular + suffix).toLowerCase().replace(/ /g, '-'),
          enabled: true,
          icon,
        };
      }),
    };
  }

  /** Every second webhook has basic-auth credentials in its URL: the connector must strip them. None: null (live). */
  reportingWebhooks(): Json {
    if (this.core.sizes.reportingWebhooks === 0) return { reporting_webhooks: null };
    return {
      reporting_webhooks: Array.from({ length: this.core.sizes.reportingWebhooks }, (_, j) => {
        const h = this.h('reporting_webhooks', j);
        return {
          id: j + 1,
          name: `Webhook ${j + 1}`,
          type: 'webhook',
          endpoint: j % 2 === 0 ? `https://hook${j}:s3cret-${h % 9999}@hooks.example.com/cio/${j + 1}` : `https://hooks.example.com/cio/${j + 1}`,
          disabled: j === 2,
          full_resolution: h % 2 === 0,
          with_content: h % 3 === 0,
          events: WEBHOOK_EVENTS.filter((_, e) => (h >>> e) % 2 === 0 || e === 0),
        };
      }),
    };
  }

  /** None: `{"collections": null}` (live). */
  collections(): Json {
    if (this.core.sizes.collections === 0) return { collections: null };
    return {
      collections: Array.from({ length: this.core.sizes.collections }, (_, j) => {
        const created = this.past('collections', j);
        const rows = between(this.h('collections', j), 1, 500);
        return {
          id: j + 1,
          name: pick(['upcoming events', 'coupons', 'store locations', 'products'], j) + (j > 3 ? ` ${j}` : ''),
          rows,
          bytes: rows * 148,
          schema: ['eventName', 'eventDate', 'presents'].slice(0, 1 + (j % 3)),
          created_at: created,
          updated_at: created + between(this.h('collections', j, 1), 0, 10 * DAY),
        };
      }),
    };
  }

  suppression(type: SuppressionType, n: number): Json {
    const h = this.h(type, n);
    return {
      email: `${type.replace(/_/g, '-')}.${n + 1}.${(h % 1000).toString(36)}@example.net`,
      created: this.past(type, n, 700),
      reason: REASONS[type],
      status: type === 'spam_reports' ? '' : '550',
    };
  }

  /**
   * Whether suppression n of a type was made on a sending domain: about two in three, by hash, so an address
   * can be suppressed on several domains and a list filtered by domain is a part of the whole list.
   */
  suppressedOn(type: SuppressionType, domain: string, n: number): boolean {
    return hash(this.core.seed, tagOf(type), n, tagOf(domain)) % 3 !== 0;
  }

  ipAddresses(): Json {
    return { ip_addresses: ['35.188.196.183', '104.198.177.219', '104.154.232.87', '130.211.229.195', '104.198.221.24'] };
  }
}
