/**
 * Custom streams from the config, and streams the key may not reach (403: a feature outside the plan):
 * the stream ends INCOMPLETE with a message naming the fix while the others read on.
 */
import nock from 'nock';
import { parseConfig } from '../../src/config.js';
import { streamsFor } from '../../src/customerio/streams/index.js';
import { customStreams } from '../../src/customerio/streams/custom.js';
import { collections, snippets } from '../../src/customerio/streams/listings.js';
import { campaigns, campaignActions } from '../../src/customerio/streams/campaigns.js';
import { segmentMemberships } from '../../src/customerio/streams/segments.js';
import { toAirbyteStream } from '../../src/engine/discover.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const configWith = (custom: unknown[]) => parseConfig({ app_api_key: 'k-0000', custom_streams: custom });

describe('custom streams', () => {
  it('appear after the built-in streams with their primary key and a schema that accepts any object', () => {
    const config = configWith([{ name: 'channels_by_kind', path: 'subscription_channels', records_path: '$.channels[*]', primary_key: ['id', 'meta.kind'] }]);
    const all = streamsFor(config);
    const custom = all.at(-1)!;
    expect(custom.name).toBe('channels_by_kind');
    const entry = toAirbyteStream(custom);
    expect(entry.source_defined_primary_key).toEqual([['id'], ['meta', 'kind']]);
    expect(entry.supported_sync_modes).toEqual(['full_refresh']);
    expectRecordsMatchSchema(custom, [{ id: 1, meta: { kind: 'x' }, anything: { nested: [1, 'two'] } }]);
    // The key's paths are declared in the schema, as platforms check before deduplicating on them.
    const schema = entry.json_schema as { properties: Record<string, any> };
    expect(schema.properties.id.type).toEqual(['string', 'integer', 'number']);
    expect(schema.properties.meta.properties.kind.type).toEqual(['string', 'integer', 'number']);
  });

  it('read the named path with the same key, keep a fixed query, and follow next when paginated', async () => {
    const [custom] = customStreams(configWith([{ name: 'objects_of_type', path: '/object_types/1/objects?sort=asc', records_path: '$.result.items[*]', primary_key: ['object_id'], paginated: true }]), []);
    const api = nock(API)
      .get('/v1/object_types/1/objects')
      .query({ sort: 'asc' })
      .reply(200, { result: { items: [{ object_id: 'a' }, { object_id: 'b' }] }, next: 'b2JqOjI=' })
      .get('/v1/object_types/1/objects')
      .query({ sort: 'asc', start: 'b2JqOjI=' })
      .reply(200, { result: { items: [{ object_id: 'c' }] } });
    const result = await readStreams([{ definition: custom }]);
    api.done();
    expect(result.records('objects_of_type').map((r) => r.object_id)).toEqual(['a', 'b', 'c']);
  });

  it('make exactly one request when not paginated, whatever next the answer carries', async () => {
    const [custom] = customStreams(configWith([{ name: 'channels', path: '/subscription_channels', records_path: '$.channels[*]' }]), []);
    const api = nock(API).get('/v1/subscription_channels').query({}).reply(200, { channels: [{ id: 1 }], next: 'more' });
    const result = await readStreams([{ definition: custom }]);
    api.done();
    expect(result.records('channels')).toEqual([{ id: 1 }]);
  });

  it.each([
    [[{ name: 'campaigns', path: '/campaigns', records_path: '$.campaigns[*]' }], /"campaigns" is already used/],
    // Airbyte's name of customers, which discover offers too.
    [[{ name: 'people', path: '/customers', records_path: '$.identifiers[*]' }], /"people" is already used/],
    [
      [
        { name: 'twice', path: '/a', records_path: '$.a[*]' },
        { name: 'twice', path: '/b', records_path: '$.b[*]' },
      ],
      /"twice" is already used/,
    ],
    [[{ name: 'no_dollar', path: '/a', records_path: 'a[*]' }], /starting with \$/],
  ])('refuse %j with a config error naming the fix', (custom, message) => {
    expect(() => streamsFor(configWith(custom))).toThrow(message);
  });
});

describe('a stream the key may not read (403)', () => {
  it('ends that stream INCOMPLETE with a config_error naming it, while the other streams complete', async () => {
    nock(API)
      .get('/v1/collections')
      .reply(403, { errors: [{ detail: 'Collections are not included in your plan', status: '403' }] })
      .get('/v1/snippets')
      .reply(200, { snippets: [{ name: 'footer', value: 'bye', updated_at: 1_700_000_000 }] });
    const result = await readStreams([{ definition: collections }, { definition: snippets }]);
    expect(result.statuses('collections')).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    expect(result.errors).toEqual([
      expect.objectContaining({ failure_type: 'config_error', stream_descriptor: { name: 'collections' }, message: expect.stringMatching(/collections.*not available.*not included in your plan.*deselect/s) }),
    ]);
    expect(result.statuses('snippets')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(result.records('snippets')).toHaveLength(1);
  });

  it('keeps the stream listed by discover, since permissions can change', () => {
    expect(streamsFor(configWith([])).map((s) => s.name)).toContain('collections');
  });

  it('ends a child stream INCOMPLETE on a 403 for its parent\'s records while the parent stream completes', async () => {
    const api = nock(API)
      .get('/v1/campaigns')
      // Once: the selected campaigns stream and campaign_actions' parent read share the answer.
      .once()
      .reply(200, { campaigns: [{ id: 1, updated: 1_700_000_000 }] })
      .get('/v1/campaigns/1/actions')
      .reply(403, { meta: { error: 'restricted key' } });
    const result = await readStreams([{ definition: campaignActions }, { definition: campaigns }]);
    expect(result.statuses('campaign_actions').at(-1)).toBe('INCOMPLETE');
    expect(result.errors[0].message).toMatch(/restricted key/);
    expect(result.statuses('campaigns').at(-1)).toBe('COMPLETE');
    expect(api.pendingMocks()).toEqual([]);
  });

  it('ends a child stream INCOMPLETE under its own name when its parent list is refused, instead of an empty COMPLETE', async () => {
    nock(API)
      .get('/v1/segments')
      .reply(403, { errors: [{ detail: 'Segments are not available to this key', status: '403' }] })
      .get('/v1/snippets')
      .reply(200, { snippets: [] });
    const result = await readStreams([{ definition: segmentMemberships }, { definition: snippets }]);
    expect(result.statuses('segment_memberships').at(-1)).toBe('INCOMPLETE');
    expect(result.errors).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        stream_descriptor: { name: 'segment_memberships' },
        message: expect.stringMatching(/segment_memberships reads the segments list first.*not available to this key/),
      }),
    ]);
    expect(result.statuses('snippets').at(-1)).toBe('COMPLETE');
  });
});

describe('a path the API does not route (the plain-text "404 page not found")', () => {
  const UNROUTED = '404 page not found';

  it('fails a custom stream with a config_error naming its path, instead of an empty read', async () => {
    const [custom] = customStreams(configWith([{ name: 'sending_domains', path: '/sending_domains', records_path: '$.domains[*]', primary_key: ['id'] }]), []);
    nock(API).get('/v1/sending_domains').reply(404, UNROUTED, { 'Content-Type': 'text/plain; charset=utf-8' });
    const result = await readStreams([{ definition: custom }]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        failure_type: 'config_error',
        message: 'Stream sending_domains: GET /sending_domains is not a route of the Customer.io API (it answered the plain-text "404 page not found", not the JSON 404 of something missing); check the path of this custom stream.',
      }),
    ]);
    expect(result.statuses('sending_domains')).toContain('INCOMPLETE');
  });

  it('fails a child stream instead of skipping every parent as deleted, while a JSON 404 still skips the one parent', async () => {
    nock(API)
      .get('/v1/campaigns')
      .reply(200, { campaigns: [{ id: 1, updated: 1_700_000_000 }, { id: 2, updated: 1_700_000_000 }] })
      .get('/v1/campaigns/1/actions')
      .reply(404, { errors: [{ detail: 'campaign not found', status: '404' }] })
      .get('/v1/campaigns/2/actions')
      .reply(404, UNROUTED);
    const result = await readStreams([{ definition: campaignActions }]);
    expect(result.logs('WARN').join('\n')).toMatch(/campaign_actions: skipped 1 .*campaign not found/);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'system_error', message: expect.stringMatching(/^Stream campaign_actions: GET \/campaigns\/2\/actions is not a route of the Customer.io API .*report it/) })]);
    expect(result.statuses('campaign_actions')).toContain('INCOMPLETE');
    expect(result.statuses('campaign_actions')).not.toContain('COMPLETE');
  });
});
