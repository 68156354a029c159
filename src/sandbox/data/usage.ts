/**
 * What uses a segment (`GET /v1/segments/{id}/used_by`), derived from the other generators so the answer agrees
 * with them: the live campaigns that trigger on or filter by the segment, and the live newsletters sent to it
 * (sent when they have a `sent_at`, drafts otherwise). Computed on demand, like every list here.
 */
import type { World } from '../world.js';

type Json = Record<string, unknown>;

const includes = (list: unknown, id: number): boolean => Array.isArray(list) && list.includes(id);

/** The answer for segment index j, in the documented shape: `segment_id` beside `used_by`. */
export function segmentUsage(world: World, j: number): Json {
  const segmentId = world.catalog.segments.idOf(j);
  const campaigns = world.campaigns.set
    .live()
    .map((c) => world.campaigns.record(c))
    .filter((c) => includes(c.trigger_segment_ids, segmentId) || includes(c.filter_segment_ids, segmentId))
    .map((c) => c.id);
  const newsletters = world.catalog.newsletters.live().map((n) => world.catalog.newsletter(n));
  const sentTo = newsletters.filter((n) => includes(n.recipient_segment_ids, segmentId));
  return {
    segment_id: segmentId,
    used_by: {
      campaigns,
      sent_newsletters: sentTo.filter((n) => n.sent_at !== null).map((n) => n.id),
      draft_newsletters: sentTo.filter((n) => n.sent_at === null).map((n) => n.id),
    },
  };
}
