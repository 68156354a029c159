/**
 * Ground truth by primary key: what the sandbox holds for a stream, and what a run (or several) emitted,
 * as sets of key strings, so tests can say "nothing lost, nothing duplicated within a run".
 */
import type { Sandbox } from '../../../src/sandbox/index.js';
import type { CliResult } from '../../helpers/cli.js';

type Data = Record<string, unknown>;

/** The primary key of a record as one string, per stream (ids the API sends as strings or numbers compare as one). */
const KEY_OF: Record<string, (r: Data) => string> = {
  activities: (r) => String(r.id),
  customers: (r) => String(r.cio_id),
  messages: (r) => String(r.id),
  transactional_message_details: (r) => String(r.id),
  campaigns: (r) => String(Number(r.id)),
  campaign_actions: (r) => String(Number(r.id)),
  broadcast_actions: (r) => `${Number(r.broadcast_id)}/${Number(r.id)}`,
  newsletters: (r) => String(Number(r.id)),
  segments: (r) => String(Number(r.id)),
  segment_memberships: (r) => `${Number(r.segment_id)}/${String(r.cio_id)}`,
};

export const STREAMS_WITH_TRUTH = Object.keys(KEY_OF);

export function keyOf(stream: string, record: Data): string {
  const key = KEY_OF[stream];
  if (!key) throw new Error(`no primary key rule for stream ${stream} in test/reliability/support/truth.ts`);
  return key(record);
}

/** The keys the sandbox serves for `stream` right now. */
export function expectedKeys(sb: Sandbox, stream: string): string[] {
  const e = sb.expected;
  switch (stream) {
    case 'activities':
      // Deleted people's too: the connector asks for them by default.
      return e.activityIds({ includeDeleted: true });
    case 'customers':
      return e.customerCioIds();
    case 'messages':
      return e.messageIds();
    case 'transactional_message_details':
      return e.deliveryIds();
    case 'campaigns':
    case 'campaign_actions':
    case 'newsletters':
    case 'segments':
      return e.listIds(stream).map((id) => String(Number(id)));
    case 'broadcast_actions':
      return e.listRecords('broadcast_actions').map((r) => `${Number(r.broadcast_id)}/${Number(r.id)}`);
    case 'segment_memberships':
      return e.listIds('segments').flatMap((id) => e.segmentMemberCioIds(Number(id)).map((cio) => `${Number(id)}/${cio}`));
    default:
      throw new Error(`no ground truth for stream ${stream}`);
  }
}

/** Keys a run emitted for `stream` (deletion markers left out). */
export function emittedKeys(result: CliResult, stream: string): string[] {
  return result.records(stream).filter((r) => !r._ab_cdc_deleted_at).map((r) => keyOf(stream, r));
}

/** Keys emitted more than once in one run. */
export function duplicates(keys: string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const key of keys) (seen.has(key) ? twice : seen).add(key);
  return [...twice];
}

/** Compares the union of runs' keys with the truth: what is missing, what is foreign. */
export function coverage(runs: CliResult[], stream: string, truth: string[]): { missing: string[]; unexpected: string[]; total: number } {
  const union = new Set(runs.flatMap((r) => emittedKeys(r, stream)));
  const expected = new Set(truth);
  return {
    missing: truth.filter((k) => !union.has(k)),
    unexpected: [...union].filter((k) => !expected.has(k)),
    total: expected.size,
  };
}
