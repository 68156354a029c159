/**
 * Part 1, rate utilisation: every stream selected, sandbox at 250 ms a request and 10 requests a second.
 * Reports the rate achieved over the read (requests ÷ the time from the first request's arrival to the
 * last's), as a share of the limit; the 429s received; and the requests made ÷ the fewest the data needs
 * at the API's largest page sizes (counted from what the read returned, page arithmetic per endpoint).
 */
import { writeFileSync } from 'node:fs';
import type { SandboxSizes } from '../sandbox/index.js';
import { catalogOf, runConnector, type ConnectorResult } from './connector.js';
import { startSandboxProcess } from './sandbox-process.js';

const DAY = 86_400;
export const LIMIT = 10;
export const LATENCY_MS = 250;
/** Part 4: what the API leaves us when another client uses the same key (the connector still set to LIMIT). */
export const SHARED_LIMIT = 8;

/** About 600 requests' worth of data, spread over every kind of endpoint (lists, per-parent, fan-out, windows). */
export const UTILISATION_SIZES: Partial<SandboxSizes> = {
  activities: 8_000,
  customers: 25_000,
  transactionalMessages: 5,
  deliveries: 30_000,
  messages: 60_000,
  campaigns: 10,
  actionsPerCampaign: 45,
  newsletters: 10,
  broadcasts: 5,
  actionsPerBroadcast: 14,
  segments: 6,
  segmentMembers: 20_000,
  suppressions: 2_500,
  exports: 3,
};

export const QUICK_UTILISATION_SIZES: Partial<SandboxSizes> = {
  ...UTILISATION_SIZES,
  activities: 2_000,
  customers: 5_000,
  deliveries: 8_000,
  messages: 15_000,
  campaigns: 4,
  segmentMembers: 5_000,
  suppressions: 1_000,
};

export const ALL_STREAMS = [
  'workspaces', 'activities', 'customers', 'transactional_messages', 'transactional_metrics', 'transactional_message_details',
  'messages', 'campaigns', 'campaign_actions', 'campaign_metrics', 'newsletters', 'newsletter_variants', 'newsletter_metrics',
  'broadcasts', 'broadcast_actions', 'broadcast_metrics', 'segments', 'segment_memberships', 'exports', 'sender_identities',
  'subscription_topics', 'object_types', 'reporting_webhooks', 'collections', 'snippets', 'esp_suppressions',
];

export interface UtilisationRun {
  utilisation: number;
  requestsPerSecond: number;
  /** Requests ÷ the whole process's wall time (start-up and the last answer's latency included). */
  wallUtilisation: number;
  rateLimited: number;
  requests: number;
  minimum: number;
  requestRatio: number;
  peakPerSecond: number;
  seconds: number;
  exitCode: number | null;
  /** Endpoints whose count differs from the minimum: `endpoint: made/minimum`. */
  excess: string[];
  /** Arrivals in each second from the first request (diagnostics: where the pace drops). */
  perSecond: number[];
  /** The endpoints of the last requests, oldest first (diagnostics: what the tail waits on). */
  tail: string[];
}

/**
 * Pages a cursor pass needs, by how the endpoint ends a list (as the live API does, modelled by the sandbox): most
 * give a full page a `next`, so n records take floor(n/limit)+1 requests; deliveries answer `""` on the page that
 * reaches the end (ceil(n/limit), at least 1); newsletters a `next` on the page that exhausts the list, then an
 * empty page (ceil(n/limit)+1, or 1 for none).
 */
const pages = (records: number, limit: number) => Math.floor(records / limit) + 1;
const deliveryPages = (records: number, limit: number) => Math.max(1, Math.ceil(records / limit));
const newsletterPages = (records: number, limit: number) => (records === 0 ? 1 : Math.ceil(records / limit) + 1);

/** `latencyMs` and `apiLimit` (the sandbox's limit, when another client shares the key) vary it for exploration. */
export async function runUtilisation(sizes: Partial<SandboxSizes>, { latencyMs = LATENCY_MS, apiLimit = LIMIT } = {}): Promise<UtilisationRun> {
  const wallNow = Math.floor(Date.now() / 1000);
  // The sandbox's clock stands a minute behind the connector's, so everything it serves is in the connector's
  // past; start_date keeps each windowed partition to one 30-day window (the data spans 30 days).
  const sandbox = await startSandboxProcess({ sizes, latencyMs, rateLimit: apiLimit, now: wallNow - 60 });
  const startDate = wallNow - 30 * DAY + 300;
  const byPartition = new Map<string, Map<string, number>>();
  const partitionField: Record<string, string> = {
    campaign_actions: 'campaign_id',
    broadcast_actions: 'broadcast_id',
    segment_memberships: 'segment_id',
    transactional_message_details: 'transactional_id',
    esp_suppressions: 'suppression_type',
  };
  let result: ConnectorResult;
  try {
    result = await runConnector({
      config: {
        app_api_key: 'sandbox-us-key',
        api_base_url: sandbox.url,
        start_date: new Date(startDate * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        requests_per_second: LIMIT,
      },
      catalog: catalogOf(ALL_STREAMS),
      // A minute after the sandbox's clock (started a minute before the machine's): every record in the connector's past.
      clock: wallNow,
      onRecord: (stream, line) => {
        const field = partitionField[stream];
        if (!field) return;
        const key = String((JSON.parse(line) as { record: { data: Record<string, unknown> } }).record.data[field]);
        const counts = byPartition.get(stream) ?? new Map<string, number>();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        byPartition.set(stream, counts);
      },
    });
    const stats = await sandbox.stats();
    if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, JSON.stringify(stats.requests));
    if (result.exitCode !== 0) throw new Error(`the read failed (exit ${result.exitCode}): ${JSON.stringify(result.others.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')).slice(0, 2000)}`);
    const n = (stream: string) => result.recordsByStream[stream] ?? 0;
    const perPartition = (stream: string, parents: number, limit: number, pagesOf = pages) => {
      const counts = [...(byPartition.get(stream)?.values() ?? [])];
      // Parents without records still cost one request each.
      return counts.reduce((sum, c) => sum + pagesOf(c, limit), 0) + Math.max(0, parents - counts.length);
    };
    const customers = n('customers');
    const minimum: Record<string, number> = {
      'GET /v1/workspaces': 1,
      'GET /v1/activities': pages(n('activities'), 100),
      'POST /v1/customers': pages(customers, 1000),
      'POST /v1/customers/attributes': Math.floor(customers / 1000) * 10 + Math.ceil((customers % 1000) / 100),
      'GET /v1/transactional': 1,
      'GET /v1/transactional/{id}/metrics': n('transactional_messages'),
      'GET /v1/transactional/{id}/messages': perPartition('transactional_message_details', n('transactional_messages'), 1000, deliveryPages),
      'GET /v1/messages': deliveryPages(n('messages'), 1000),
      'GET /v1/campaigns': 1,
      'GET /v1/campaigns/{id}/actions': perPartition('campaign_actions', n('campaigns'), 10),
      'GET /v1/campaigns/{id}/metrics': n('campaigns'),
      'GET /v1/newsletters': newsletterPages(n('newsletters'), 100),
      'GET /v1/newsletters/{id}/contents': n('newsletters'),
      'GET /v1/newsletters/{id}/metrics': n('newsletters'),
      'GET /v1/broadcasts': 1,
      'GET /v1/broadcasts/{id}/actions': perPartition('broadcast_actions', n('broadcasts'), 10),
      'GET /v1/broadcasts/{id}/metrics': n('broadcasts'),
      'GET /v1/segments': 1,
      'GET /v1/segments/{id}/membership': perPartition('segment_memberships', n('segments'), 30_000),
      'GET /v1/exports': 1,
      // Two lists (hidden=false, hidden=true), each at least one page.
      'GET /v1/sender_identities': 2 * pages(n('sender_identities'), 1000),
      'GET /v1/subscription_topics': 1,
      'GET /v1/object_types': 1,
      'GET /v1/reporting_webhooks': 1,
      'GET /v1/collections': 1,
      'GET /v1/snippets': 1,
      'GET /v1/esp/suppression/{type}': perPartition('esp_suppressions', 4, 1000),
    };
    const minimumTotal = Object.values(minimum).reduce((a, b) => a + b, 0);
    const excess: string[] = [];
    for (const endpoint of new Set([...Object.keys(minimum), ...Object.keys(stats.byEndpoint)])) {
      const made = stats.byEndpoint[endpoint] ?? 0;
      if (made !== (minimum[endpoint] ?? 0)) excess.push(`${endpoint}: ${made}/${minimum[endpoint] ?? 0}`);
    }
    const arrivals = stats.requests.map((r) => r.at).sort((a, b) => a - b);
    const spanMs = arrivals[arrivals.length - 1] - arrivals[0];
    const requestsPerSecond = ((stats.total - 1) / spanMs) * 1000;
    return {
      utilisation: requestsPerSecond / LIMIT,
      requestsPerSecond,
      wallUtilisation: stats.total / (result.wallMs / 1000) / LIMIT,
      rateLimited: stats.rateLimited,
      requests: stats.total,
      minimum: minimumTotal,
      requestRatio: stats.total / minimumTotal,
      peakPerSecond: stats.peakPerSecond,
      seconds: result.wallMs / 1000,
      exitCode: result.exitCode,
      excess,
      tail: stats.requests.slice(-30).map((r) => `${Math.round((r.at - arrivals[0]) / 100) / 10}s ${r.method} ${r.path}`),
      perSecond: arrivals.reduce<number[]>((bins, at) => {
        const second = Math.floor((at - arrivals[0]) / 1000);
        while (bins.length <= second) bins.push(0);
        bins[second]++;
        return bins;
      }, []),
    };
  } finally {
    await sandbox.close();
  }
}
