/**
 * Ground truth without HTTP: the ids (and counts) the API would serve at the current clock, computed
 * with the same generators and predicates the routes use, so tests can compare a connector's output
 * by primary key. Meant for test sizes; listing a million activities builds a million ids.
 */
import type { Campaigns } from './data/campaigns.js';
import type { ListSet } from './data/core.js';
import type { DesignStudioKind } from './data/design-studio.js';
import { SUPPRESSION_TYPES } from './data/misc.js';
import { collectNewest, type IndexRange, narrowWindow } from './timeline.js';
import type { ListKind, SandboxExpected } from './types.js';
import type { World } from './world.js';

type Json = Record<string, unknown>;

interface ListView {
  ids(): Array<number | string>;
  records(): Json[];
  deleted(): Array<number | string>;
}

function simpleView(set: ListSet, record: (j: number) => Json, key = 'id'): ListView {
  return {
    ids: () => set.live().map((j) => record(j)[key] as number | string),
    records: () => set.live().map(record),
    deleted: () => set.deletedIds(),
  };
}

function actionView(kind: Campaigns): ListView {
  const live = () => kind.set.live().flatMap((j) => kind.liveActionIndexes(j));
  return {
    ids: () => live().map((a) => kind.actionId(a)),
    records: () => live().map((a) => kind.actionRecord(a)),
    deleted: () => deletedIndexes(kind.actionSet).map((a) => kind.actionId(a)),
  };
}

function count(range: IndexRange, accept: (k: number) => boolean): number {
  let n = 0;
  for (let k = range.first; k <= range.last; k++) if (accept(k)) n++;
  return n;
}

function deletedIndexes(set: ListSet): number[] {
  const live = new Set(set.live());
  const out: number[] = [];
  for (let j = 0; j < set.count; j++) if (!live.has(j)) out.push(j);
  return out;
}

function objectRelationshipCount(world: World): number {
  let n = 0;
  for (let t = 1; t <= world.sizes.objectTypes; t++) for (let j = 0; j < world.sizes.objectsPerType; j++) n += world.objects.related(t, j).length;
  return n;
}

export function createExpected(world: World): SandboxExpected {
  const { catalog } = world;
  const views: Record<ListKind, ListView> = {
    campaigns: simpleView(world.campaigns.set, (j) => world.campaigns.record(j)),
    campaign_actions: actionView(world.campaigns),
    broadcasts: simpleView(world.broadcasts.set, (j) => world.broadcasts.record(j)),
    broadcast_actions: actionView(world.broadcasts),
    newsletters: simpleView(catalog.newsletters, (j) => catalog.newsletter(j)),
    segments: simpleView(catalog.segments, (j) => catalog.segment(j)),
    transactional_messages: simpleView(catalog.transactional, (j) => catalog.transactionalMessage(j)),
    snippets: {
      ...simpleView(catalog.snippets, (j) => catalog.snippet(j), 'name'),
      deleted: () => catalog.snippets.deletedIds().map((id) => catalog.snippetName(id - 1)),
    },
  };
  const studio = world.designStudio;
  const designStudio = (kind: DesignStudioKind) => studio.set(kind).live().map((j) => studio.row(kind, j));

  const activityIds: SandboxExpected['activityIds'] = (query = {}) => {
    const acts = world.activities;
    return collectNewest(acts.range(world.clock.now()), acts.accepts(query), (k) => acts.id(k));
  };

  const messageIds: SandboxExpected['messageIds'] = (query = {}) => {
    const now = world.clock.now();
    const stream = world.messages;
    const window = narrowWindow(now, query.startTs, query.endTs);
    const types = query.types && query.types.length ? new Set(query.types) : undefined;
    return collectNewest(stream.timeline.range(now, window.from, window.to), stream.accepts({ types, drafts: false }, now), (k) => stream.id(k));
  };

  const deliveryIds: SandboxExpected['deliveryIds'] = (transactionalId) => {
    const stream = world.transactionalDeliveries;
    const live = new Set(catalog.transactional.live());
    const only = transactionalId === undefined ? -1 : catalog.transactional.find(transactionalId);
    if (transactionalId !== undefined && only < 0) return [];
    const accept = (k: number) => (only >= 0 ? world.transactionalOf(k) === only : live.has(world.transactionalOf(k)));
    return collectNewest(stream.timeline.range(world.clock.now()), accept, (k) => stream.id(k));
  };

  const segmentMemberCioIds = (segmentId: number): string[] => {
    const j = catalog.segments.find(segmentId);
    if (j < 0) return [];
    const m = catalog.membership(j);
    return Array.from({ length: m.size }, (_, n) => world.people.cioId(m.first + n * m.step));
  };

  const expected: SandboxExpected = {
    activityIds,
    customerCioIds: () => Array.from({ length: world.people.count }, (_, i) => world.people.cioId(i)),
    messageIds,
    deliveryIds,
    listIds: (kind) => views[kind].ids(),
    listRecords: (kind) => views[kind].records(),
    deletedIds: (kind) => views[kind].deleted(),
    updatedIds: (kind, since) =>
      views[kind]
        .records()
        .filter((r) => Number(r.updated ?? r.updated_at) >= since)
        .map((r) => (kind === 'snippets' ? (r.name as string) : (r.id as number | string))),
    campaignActionIds: (campaignId) => {
      const j = world.campaigns.set.find(campaignId);
      return j < 0 ? [] : world.campaigns.liveActionIndexes(j).map((a) => world.campaigns.actionId(a));
    },
    segmentMemberCioIds,
    transactionalContents: () => catalog.transactional.live().flatMap((j) => catalog.transactionalContents(j).map((c) => ({ ...c, transactional_id: catalog.transactional.idOf(j) }))),
    optouts: () => Array.from({ length: world.misc.optoutCount() }, (_, n) => world.misc.optout(n)),
    designStudio,
    designStudioEmailDetails: () => studio.emails.live().map((j) => studio.emailDetail(j)),
    counts: () => {
      const misc = world.misc;
      const sizes = world.sizes;
      const exports = misc.exports().exports as unknown[] | null;
      const now = world.clock.now();
      return {
        // As a connector reads them by default: deleted people's activities too (deleted=true).
        activities: count(world.activities.range(now), world.activities.accepts({ includeDeleted: true })),
        customers: world.people.count,
        messages: count(world.messages.timeline.range(now), world.messages.accepts({ drafts: false }, now)),
        transactional_messages: catalog.transactional.live().length,
        transactional_deliveries: deliveryIds().length,
        campaigns: views.campaigns.ids().length,
        campaign_actions: views.campaign_actions.ids().length,
        newsletters: views.newsletters.ids().length,
        newsletter_variants: catalog.newsletters.live().reduce((n, j) => n + catalog.contentCount(j), 0),
        broadcasts: views.broadcasts.ids().length,
        broadcast_actions: views.broadcast_actions.ids().length,
        segments: views.segments.ids().length,
        segment_memberships: catalog.segments.live().reduce((n, j) => n + catalog.membership(j).size, 0),
        // One usage answer per live segment.
        segment_usage: views.segments.ids().length,
        exports: exports ? exports.length : 0,
        workspaces: 1,
        sender_identities: sizes.senderIdentities,
        subscription_topics: sizes.subscriptionTopics,
        object_types: sizes.objectTypes,
        reporting_webhooks: sizes.reportingWebhooks,
        collections: sizes.collections,
        snippets: views.snippets.ids().length,
        esp_suppressions: sizes.suppressions * SUPPRESSION_TYPES.length,
        objects: sizes.objectTypes * sizes.objectsPerType,
        object_relationships: objectRelationshipCount(world),
        newsletter_test_groups: catalog.newsletters.live().reduce((n, j) => n + catalog.testGroups(j).length, 0),
        ip_addresses: (misc.ipAddresses().ip_addresses as unknown[]).length,
        transactional_message_contents: catalog.transactional.live().reduce((n, j) => n + catalog.transactionalContents(j).length, 0),
        subscription_channels: sizes.subscriptionChannels,
        optouts: misc.optoutCount(),
        design_studio_folders: designStudio('folders').length,
        design_studio_emails: designStudio('emails').length,
        design_studio_components: designStudio('components').length,
      };
    },
  };
  return expected;
}
