/**
 * The other small lists with an update cursor: newsletters (and their contents/variants), segments
 * (and their membership, an arithmetic progression of people so any page is computed directly),
 * transactional message templates and snippets.
 */
import { between, pick } from '../hash.js';
import { DAY } from '../timeline.js';
import { type Core, ListSet } from './core.js';

type Json = Record<string, unknown>;

const NEWSLETTER_NAMES = ['March product news', 'Holiday hours', 'Spring sale', 'Community roundup', 'Release notes', 'Survey results'];
const SEGMENT_NAMES = ['Everyone with an email', 'Trial users', 'Paying customers', 'Churn risk', 'Power users', 'EU residents', 'Newsletter readers'];
const TRANSACTIONAL_NAMES = ['password reset', 'order confirmation', 'receipt', 'magic link', 'shipping update', 'account locked', 'invoice'];
const SNIPPET_NAMES = ['footer', 'address', 'header', 'signature', 'unsubscribe_text', 'promo_banner', 'legal'];
const TAGS = ['news', 'promo', 'product', 'ops'];

export interface Membership {
  first: number;
  step: number;
  size: number;
}

export class Catalog {
  readonly newsletters: ListSet;
  readonly segments: ListSet;
  readonly transactional: ListSet;
  readonly snippets: ListSet;

  constructor(private readonly core: Core) {
    const s = core.sizes;
    const plus1 = (j: number) => j + 1;
    const minus1 = (id: number) => id - 1;
    this.newsletters = new ListSet(core, 'newsletters', s.newsletters, plus1, minus1);
    this.segments = new ListSet(core, 'segments', s.segments, plus1, minus1);
    this.transactional = new ListSet(core, 'transactional_messages', s.transactionalMessages, plus1, minus1);
    this.snippets = new ListSet(core, 'snippets', s.snippets, plus1, minus1);
  }

  // Newsletters ---------------------------------------------------------------------------------

  contentCount(j: number): number {
    return 1 + (this.newsletters.h(j, 7) % 3);
  }

  contentId(j: number, c: number): number {
    return this.newsletters.idOf(j) * 100 + c + 1;
  }

  newsletter(j: number): Json {
    const set = this.newsletters;
    const id = set.idOf(j);
    const created = set.created(j);
    const updated = set.updated(j);
    const h = set.h(j);
    const sent = h % 4 !== 0;
    return {
      id,
      deduplicate_id: `${id}:${updated}`,
      name: `${pick(NEWSLETTER_NAMES, h >>> 2)} #${id}`,
      type: h % 7 === 0 ? 'push' : 'email',
      content_ids: Array.from({ length: this.contentCount(j) }, (_, c) => this.contentId(j, c)),
      sent_at: sent ? Math.min(updated, created + between(set.h(j, 1), 3600, 10 * DAY)) : null,
      created,
      updated,
      recipient_segment_ids: this.core.sizes.segments > 0 ? [1 + (h % this.core.sizes.segments)] : [],
      tags: [pick(TAGS, h >>> 5)],
    };
  }

  /**
   * `GET /v1/newsletters/{id}/contents`: one element per variant (A/B test or language), in the live shape: `headers`
   * as the text "[]", `preprocessor: "none"` (the spec allows only premailer), `from`/`reply_to`/`bcc`/`cc` as "",
   * `from_id`/`reply_to_id` null, `test_group_id` 0, `created`/`updated` and `body_plain`/`body_amp` (not in the spec).
   */
  contents(j: number): Json[] {
    const newsletterId = this.newsletters.idOf(j);
    const created = this.newsletters.created(j);
    const updated = this.newsletters.updated(j);
    return Array.from({ length: this.contentCount(j) }, (_, c) => {
      const id = this.contentId(j, c);
      const body = `<p>Newsletter ${newsletterId}, variant ${c + 1}</p>`;
      return {
        id,
        newsletter_id: newsletterId,
        deduplicate_id: `${id}:${updated}`,
        name: c === 0 ? 'Variant A' : `Variant ${String.fromCharCode(65 + c)}`,
        layout: '<html><body>{{content}}</body></html>',
        body,
        body_plain: `Newsletter ${newsletterId}, variant ${c + 1}`,
        body_amp: '',
        language: c === 2 ? 'de' : '',
        type: 'email',
        from: c === 0 ? 'Sandbox <news@example.com>' : '',
        from_id: c === 0 ? 1 : null,
        reply_to: '',
        reply_to_id: null,
        preprocessor: c === 1 ? 'premailer' : 'none',
        recipient: '{{customer.email}}',
        subject: `Newsletter ${newsletterId} (${c + 1})`,
        bcc: '',
        cc: '',
        fake_bcc: false,
        preheader_text: '',
        headers: '[]',
        test_group_id: 0,
        created,
        updated,
      };
    });
  }

  /**
   * `GET /v1/newsletters/{id}/test_groups`: an A/B test when the newsletter has two variants or more (group ids
   * 0, 2, … like the docs' example; the German translation, the third content, goes with group B). A newsletter
   * with one variant has no test: `{"test_groups": []}` [inferred: the API does not say].
   */
  testGroups(j: number): Json[] {
    const count = this.contentCount(j);
    if (count < 2) return [];
    const sent = this.newsletter(j).sent_at !== null;
    return [0, 1].map((g) => ({
      id: 2 * g,
      name: g === 0 ? 'A' : 'B',
      label: `test ${g + 1}`,
      winner: sent && g === this.newsletters.h(j, 11) % 2,
      content_ids: g === 0 ? [this.contentId(j, 0)] : Array.from({ length: count - 1 }, (_, c) => this.contentId(j, c + 1)),
    }));
  }

  // Segments ------------------------------------------------------------------------------------

  segment(j: number): Json {
    const set = this.segments;
    const id = set.idOf(j);
    const updated = set.updated(j);
    const h = set.h(j);
    return {
      id,
      deduplicate_id: `${id}:${updated}`,
      name: SEGMENT_NAMES[j] ?? `Segment ${id}`,
      description: `Sandbox segment ${id}`,
      state: 'finished',
      progress: null,
      type: j % 3 === 2 ? 'manual' : 'dynamic',
      tags: h % 2 === 0 ? [pick(TAGS, h >>> 3)] : [],
      created_at: set.created(j),
      updated_at: updated,
    };
  }

  /** Members of segment j: people first, first+step, … (size of them). The fourth segment has none (one live sample segment had none). */
  membership(j: number): Membership {
    const people = this.core.people.count;
    const max = this.core.sizes.segmentMembers;
    if (people === 0 || max <= 0 || j === 3) return { first: 0, step: 1, size: 0 };
    const share = 0.05 + ((this.segments.h(j, 3) % 56) / 100);
    const size = j === 0 ? Math.min(max, people) : Math.min(max, Math.max(1, Math.floor(people * share)));
    const step = Math.max(1, Math.floor(people / size));
    return { first: this.segments.h(j, 4) % step, step, size };
  }

  isMember(j: number, person: number): boolean {
    const m = this.membership(j);
    const d = person - m.first;
    return d >= 0 && d % m.step === 0 && d / m.step < m.size;
  }

  // Transactional messages ----------------------------------------------------------------------

  transactionalMessage(j: number): Json {
    const set = this.transactional;
    const h = set.h(j);
    return {
      id: set.idOf(j),
      name: TRANSACTIONAL_NAMES[j] ?? `transactional ${j + 1}`,
      description: `Sent by the sandbox app (${j + 1})`,
      send_to_unsubscribed: h % 2 === 0,
      link_tracking: h % 3 !== 0,
      open_tracking: h % 5 !== 0,
      hide_message_body: h % 7 === 0,
      queue_drafts: h % 11 === 0,
      // Live: a trigger_name (not in the spec) and no deduplicate_id.
      trigger_name: `sandbox_${(TRANSACTIONAL_NAMES[j] ?? `transactional ${j + 1}`).toLowerCase().replace(/[^a-z0-9]+/g, '_')}`,
      created_at: set.created(j),
      updated_at: set.updated(j),
    };
  }

  /**
   * `GET /v1/transactional/{id}/contents`: one content per language (English, and German for every third template),
   * shaped like a newsletter's variants as seen live but naming no template and with no deduplicate_id, and with
   * `recipient`, `bcc`, `cc`, `preheader_text` null rather than "".
   */
  transactionalContents(j: number): Json[] {
    const set = this.transactional;
    const templateId = set.idOf(j);
    const languages = set.h(j, 8) % 3 === 0 ? ['', 'de'] : [''];
    return languages.map((language, c) => ({
      id: templateId * 100 + c + 1,
      name: language ? `Translation (${language})` : 'Default',
      type: 'email',
      language,
      subject: `${TRANSACTIONAL_NAMES[j] ?? `transactional ${j + 1}`} (${language || 'en'})`,
      preheader_text: null,
      body: `<p>Transactional ${templateId}, ${language || 'en'}</p>`,
      body_plain: `Transactional ${templateId}`,
      body_amp: '',
      layout: '<html><body>{{content}}</body></html>',
      preprocessor: 'none',
      from: 'Sandbox <support@example.com>',
      from_id: 1,
      reply_to: '',
      reply_to_id: null,
      recipient: null,
      bcc: null,
      cc: null,
      fake_bcc: false,
      headers: '[]',
      created: set.created(j),
      updated: set.updated(j),
    }));
  }

  // Snippets ------------------------------------------------------------------------------------

  snippetName(j: number): string {
    return j < SNIPPET_NAMES.length ? SNIPPET_NAMES[j] : `snippet_${j + 1}`;
  }

  snippetIndex(name: string): number {
    for (let j = 0; j < this.snippets.count; j++) if (this.snippetName(j) === name) return j;
    return -1;
  }

  snippet(j: number): Json {
    return {
      name: this.snippetName(j),
      value: `<p>${this.snippetName(j)} v${this.snippets.updated(j) % 97}</p>`,
      updated_at: this.snippets.updated(j),
    };
  }
}
