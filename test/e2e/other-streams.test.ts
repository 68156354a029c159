/**
 * The campaign-like, segment, listing and ESP streams, plus custom streams, read by the built CLI from the
 * sandbox: counts and keys against the sandbox's ground truth, records against the discovered schemas,
 * delete capture across two incremental reads around `sb.advance`, and a 403 that ends one stream only.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { expectStreamsMatchDiscoveredSchemas } from './schema-check.js';

const STREAMS = [
  'campaigns',
  'campaign_actions',
  'newsletters',
  'newsletter_variants',
  'broadcasts',
  'broadcast_actions',
  'segments',
  'segment_memberships',
  'exports',
  'workspaces',
  'sender_identities',
  'subscription_topics',
  'object_types',
  'reporting_webhooks',
  'collections',
  'snippets',
  'esp_suppressions',
  'segment_usage',
];
const DELETE_TRACKING = ['campaigns', 'newsletters', 'broadcasts', 'segments', 'snippets'] as const;

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  // A few exports, so the stream has records (nock covers `{"exports": null}`).
  sb = await startSandbox({ seed: 42, sizes: { exports: 3 } });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

const asNumbers = (ids: Array<number | string>) => ids.map((id) => Number(id)).sort((a, b) => a - b);

describe('every other stream, full refresh, end to end', () => {
  it('reads each stream completely, as many records as the sandbox holds, each valid against its discovered schema', async () => {
    const result = await runCli(['read'], { config, catalog: configuredCatalog(STREAMS) }, { env: sandboxClockEnv(sb) });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);

    const expected = sb.expected.counts();
    const counts = Object.fromEntries(STREAMS.map((name) => [name, result.records(name).length]));
    expect(counts).toEqual(Object.fromEntries(STREAMS.map((name) => [name, expected[name]])));
    for (const name of STREAMS) expect(result.statuses(name).at(-1)).toBe('COMPLETE');

    await expectStreamsMatchDiscoveredSchemas(config, STREAMS, (name) => result.records(name));

    // Keys match the ground truth, ids coerced to integers where the API sends strings.
    expect(asNumbers(result.records('campaigns').map((r) => r.id))).toEqual(asNumbers(sb.expected.listIds('campaigns')));
    expect(result.records('campaign_actions').every((r) => typeof r.id === 'number')).toBe(true);
    expect(asNumbers(result.records('campaign_actions').map((r) => r.id))).toEqual(asNumbers(sb.expected.listIds('campaign_actions')));
    expect(asNumbers(result.records('broadcast_actions').map((r) => r.id))).toEqual(asNumbers(sb.expected.listIds('broadcast_actions')));
    // Object type ids are text, as documented (and as Airbyte's connector declares them).
    expect(result.records('object_types').every((r) => typeof r.id === 'string' && /^\d+$/.test(r.id))).toBe(true);
    expect(result.records('snippets').map((r) => r.name).sort()).toEqual([...sb.expected.listIds('snippets')].sort());
    const firstSegment = Number(sb.expected.listIds('segments')[0]);
    const members = result.records('segment_memberships').filter((r) => r.segment_id === firstSegment).map((r) => r.cio_id);
    expect(new Set(members)).toEqual(new Set(sb.expected.segmentMemberCioIds(firstSegment)));
    const suppressionKeys = new Set(result.records('esp_suppressions').map((r) => `${r.suppression_type}/${r.email}`));
    expect(suppressionKeys.size).toBe(expected.esp_suppressions);
  });

  it('never lets a webhook URL\'s user:password through', async () => {
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['reporting_webhooks']) }, { env: sandboxClockEnv(sb) });
    const endpoints = result.records('reporting_webhooks').map((r) => r.endpoint as string);
    expect(endpoints.length).toBeGreaterThan(1);
    for (const endpoint of endpoints) expect(new URL(endpoint).username + new URL(endpoint).password).toBe('');
    expect(result.stdout).not.toMatch(/s3cret/);
  });
});

describe('delete capture end to end', () => {
  it('reports exactly the objects that vanished after sb.advance, with only their key, their cursor and _ab_cdc_deleted_at', async () => {
    const catalog = configuredCatalog([...DELETE_TRACKING, 'campaign_actions'].map((name) => ({ name, syncMode: 'incremental' as const })));
    const first = await runCli(['read'], { config, catalog }, { env: sandboxClockEnv(sb) });
    expect(first.exitCode).toBe(0);
    for (const kind of DELETE_TRACKING) {
      expect(first.records(kind).filter((r) => '_ab_cdc_deleted_at' in r)).toEqual([]);
      expect(first.lastState(kind)?.ids).toHaveLength(sb.expected.listIds(kind).length);
    }
    const cursors = Object.fromEntries(DELETE_TRACKING.map((kind) => [kind, Object.values(first.lastState(kind)!).find((v) => typeof v === 'number') as number]));
    const actionCursors = first.lastState('campaign_actions')!.partitions as Record<string, { updated: number }>;

    sb.advance(6 * 3600);
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: sandboxClockEnv(sb) });
    expect(second.exitCode).toBe(0);

    for (const kind of DELETE_TRACKING) {
      const key = kind === 'snippets' ? 'name' : 'id';
      const deleted = second.records(kind).filter((r) => r._ab_cdc_deleted_at);
      expect(deleted.map((r) => r[key])).toEqual(sb.expected.deletedIds(kind));
      expect(deleted.length).toBeGreaterThan(0);
      const cursorField = kind === 'segments' || kind === 'snippets' ? 'updated_at' : 'updated';
      for (const record of deleted) {
        expect(Object.keys(record).sort()).toEqual(['_ab_cdc_deleted_at', key, cursorField].sort());
        expect(Number.isNaN(Date.parse(record._ab_cdc_deleted_at))).toBe(false);
        // The deletion is never older than the record it deletes (else a destination deduping by cursor keeps the row).
        const last = first.records(kind).find((r) => r[key] === record[key])!;
        expect(record[cursorField]).toBeGreaterThanOrEqual(last[cursorField]);
      }
      // Besides the deletions, only what changed since the cursor.
      const changed = second.records(kind).filter((r) => !r._ab_cdc_deleted_at).map((r) => r[key]);
      expect(new Set(changed)).toEqual(new Set(sb.expected.updatedIds(kind, cursors[kind])));
      expect(second.lastState(kind)?.ids).toHaveLength(sb.expected.listIds(kind).length);
    }

    // Actions: one cursor per campaign; a second read brings only actions edited since their campaign's cursor.
    const wanted = sb.expected
      .listRecords('campaign_actions')
      .filter((a) => (a.updated as number) >= (actionCursors[String(a.campaign_id)]?.updated ?? 0))
      .map((a) => Number(a.id));
    const actions = second.records('campaign_actions');
    expect(asNumbers(actions.filter((r) => !r._ab_cdc_deleted_at).map((r) => r.id))).toEqual(wanted.sort((a, b) => a - b));
    expect(wanted.length).toBeLessThan(sb.expected.listIds('campaign_actions').length);
    // The actions of the deleted campaign vanished with it: each reported deleted, by its key alone.
    const served = new Set(sb.expected.listIds('campaign_actions').map(String));
    const vanished = first.records('campaign_actions').map((r) => String(r.id)).filter((id) => !served.has(id));
    expect(vanished.length).toBeGreaterThan(0);
    expect(actions.filter((r) => r._ab_cdc_deleted_at).map((r) => String(r.id)).sort()).toEqual(vanished.sort());
  });
});

describe('403 and custom streams end to end', () => {
  afterEach(() => sb.setFaults([]));

  it('ends a stream the plan does not include INCOMPLETE with a config_error, and reads the others', async () => {
    sb.setFaults([{ path: '/collections', kind: 'status', status: 403 }]);
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['collections', 'snippets', 'subscription_topics']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(1);
    expect(result.statuses('collections').at(-1)).toBe('INCOMPLETE');
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', stream_descriptor: { name: 'collections' } })]);
    expect(result.statuses('snippets').at(-1)).toBe('COMPLETE');
    expect(result.records('subscription_topics')).toHaveLength(sb.expected.counts().subscription_topics);
  });

  it('reads custom streams from the config, paging when asked to', async () => {
    const custom = {
      ...config,
      custom_streams: [
        { name: 'topics_again', path: '/subscription_topics', records_path: '$.topics[*]', primary_key: ['id'] },
        { name: 'senders_one_by_one', path: '/sender_identities?limit=1', records_path: '$.sender_identities[*]', paginated: true },
      ],
    };
    sb.resetStats();
    const result = await runCli(['read'], { config: custom, catalog: configuredCatalog(['topics_again', 'senders_one_by_one']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const counts = sb.expected.counts();
    expect(result.records('topics_again')).toHaveLength(counts.subscription_topics);
    // Without `hidden`, the visible senders (the sandbox hides every third).
    const visible = Array.from({ length: counts.sender_identities }, (_, i) => i + 1).filter((id) => id % 3 !== 0);
    expect(result.records('senders_one_by_one').map((r) => r.id)).toEqual(visible);
    // One page per identity, and the last (empty or short) answer ends it.
    expect(sb.stats().byEndpoint['GET /v1/sender_identities']).toBeGreaterThanOrEqual(visible.length);
  });
});
