/** The workspace listings against nock: one request each (sender identities page), their record keys, their quirks. */
import nock from 'nock';
import {
  collections,
  dataExports,
  objectTypes,
  reportingWebhooks,
  senderIdentities,
  snippets,
  subscriptionTopics,
  withoutCredentials,
} from '../../src/customerio/streams/listings.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const webhook = { name: 'my cool webhook', id: 4, type: 'webhook', endpoint: 'https://example.com/webhook', disabled: false, full_resolution: true, with_content: false, events: ['email_failed'] };

// [stream, path, definition, answer, the records' primary key values]
const cases: Array<[string, string, StreamDefinition, unknown, unknown[]]> = [
  [subscriptionTopics.name, '/v1/subscription_topics', subscriptionTopics, { topics: [{ id: 4, identifier: 'topic_4', name: 'Product Updates', description: 'releases', subscribed_by_default: false }] }, [4]],
  [objectTypes.name, '/v1/object_types', objectTypes, { types: [{ id: '1', name: 'Concerts', singular_name: 'Concert', slug: 'concerts', singular_slug: 'concert', icon: 'calendar', enabled: true }] }, ['1']],
  [reportingWebhooks.name, '/v1/reporting_webhooks', reportingWebhooks, { reporting_webhooks: [webhook] }, [4]],
  [collections.name, '/v1/collections', collections, { collections: [{ id: 1, name: 'upcoming events', bytes: 296, rows: 2, schema: ['eventDate', 'eventName'], created_at: 1_552_341_937, updated_at: 1_552_341_937 }] }, [1]],
  [snippets.name, '/v1/snippets', snippets, { snippets: [{ name: 'address', value: '<strong>My Company</strong>', updated_at: 1_582_500_000 }] }, ['address']],
  [dataExports.name, '/v1/exports', dataExports, { exports: [{ id: 110, user_id: 0, user_email: 'person@example.com', total: 1234, deduplicate_id: '110:1530296738', type: 'customers', failed: false, status: 'done', description: 'Customers', downloads: 2, created_at: 1_530_296_738, updated_at: 1_530_296_738 }] }, [110]],
];

describe('workspace listings', () => {
  it.each(cases)('%s: asks GET %s once with no query and emits records that match the schema', async (_name, path, definition, answer, keys) => {
    const api = nock(API).get(path).query({}).reply(200, answer as nock.Body);
    const result = await readStreams([{ definition }]);
    api.done();
    const records = result.records(definition.name);
    const keyField = definition.primaryKey[0][0];
    expect(records.map((r) => r[keyField])).toEqual(keys);
    expectRecordsMatchSchema(definition, records);
    expect(result.statuses(definition.name).at(-1)).toBe('COMPLETE');
  });

  const identity = (id: number, hidden = false) => ({ id, deduplicate_id: `${id}:1478035647`, name: 'Cher Ami', email: `s${id}@example.com`, address: `Cher Ami <s${id}@example.com>`, template_type: 'email', auto_generated: false, hidden });

  it('reads the visible and the hidden sender lists (hidden=false, hidden=true), each paged by sending next back as start', async () => {
    // A list of two pages is read twice (engine/reread.ts: a sender moved past every page by a deletion).
    const api = nock(API)
      .get('/v1/sender_identities')
      .query({ hidden: 'false' })
      .times(2)
      .reply(200, { sender_identities: [identity(1)], next: 'c2k6MQ==' })
      .get('/v1/sender_identities')
      .query({ hidden: 'false', start: 'c2k6MQ==' })
      .times(2)
      .reply(200, { sender_identities: [identity(2)], next: '' })
      .get('/v1/sender_identities')
      .query({ hidden: 'true' })
      .reply(200, { sender_identities: [identity(3, true)], next: '' });
    const result = await readStreams([{ definition: senderIdentities }]);
    api.done();
    expect(result.records('sender_identities').map((r) => r.id).sort()).toEqual([1, 2, 3]);
    expectRecordsMatchSchema(senderIdentities, result.records('sender_identities'));
  });

  it.each([
    ['each list holds its own senders', [1], [2]],
    ['the visible list holds every sender', [1, 2], [2]],
    ['the hidden list holds every sender', [1], [1, 2]],
    ['both lists hold every sender', [1, 2], [1, 2]],
  ])('emits each sender once, from the list its own flag belongs to, when %s', async (_case, visible, hidden) => {
    nock(API)
      .get('/v1/sender_identities')
      .query({ hidden: 'false' })
      .reply(200, { sender_identities: visible.map((id) => identity(id, id === 2)) })
      .get('/v1/sender_identities')
      .query({ hidden: 'true' })
      .reply(200, { sender_identities: hidden.map((id) => identity(id, id === 2)) });
    const result = await readStreams([{ definition: senderIdentities }]);
    expect(result.records('sender_identities').map((r) => r.id).sort()).toEqual([1, 2]);
  });

  it('reads {"exports": null} as no exports and completes', async () => {
    nock(API).get('/v1/exports').reply(200, { exports: null });
    const result = await readStreams([{ definition: dataExports }]);
    expect(result.records('exports')).toEqual([]);
    expect(result.statuses('exports').at(-1)).toBe('COMPLETE');
  });

  it('keeps object type ids as text, numbers included (the documented type; campaigns.object_type_id is an integer)', async () => {
    nock(API).get('/v1/object_types').reply(200, { types: [{ id: '1', name: 'Companies' }, { id: 2, name: 'Accounts' }] });
    const result = await readStreams([{ definition: objectTypes }]);
    expect(result.records('object_types').map((r) => r.id)).toEqual(['1', '2']);
  });

  it('reads collections incrementally by updated_at and reports one that vanished', async () => {
    const collection = (id: number, updatedAt: number) => ({ id, name: `c${id}`, bytes: 10, rows: 1, schema: ['id'], created_at: 1_500_000_000, updated_at: updatedAt });
    nock(API).get('/v1/collections').reply(200, { collections: [collection(1, 1_600_000_000), collection(2, 1_700_000_000)] });
    const result = await readStreams([{ definition: collections, syncMode: 'incremental', state: { updated_at: 1_650_000_000, ids: [1, 2, 3] } }]);
    const records = result.records('collections');
    expect(records.map((r) => (r._ab_cdc_deleted_at ? `deleted ${r.id}` : r.id))).toEqual([2, 'deleted 3']);
    expectRecordsMatchSchema(collections, records);
    expect(result.lastState('collections')).toEqual({ updated_at: 1_700_000_000, ids: [1, 2], ids_cursor: 1_700_000_000 });
  });

  it('reports a deleted snippet by its name, the only key snippets have', async () => {
    nock(API).get('/v1/snippets').reply(200, { snippets: [{ name: 'address', value: 'x', updated_at: 1_582_500_000 }] });
    const result = await readStreams([{ definition: snippets, syncMode: 'incremental', state: { updated_at: 1_582_500_000, ids: ['address', 'footer'] } }]);
    const deleted = result.records('snippets').filter((r) => r._ab_cdc_deleted_at);
    expect(deleted).toEqual([{ name: 'footer', updated_at: 1_717_200_000, _ab_cdc_deleted_at: '2024-06-01T00:00:00.000Z' }]);
    expectRecordsMatchSchema(snippets, deleted);
  });

  it('never emits the user:password of a webhook URL', async () => {
    nock(API)
      .get('/v1/reporting_webhooks')
      .reply(200, { reporting_webhooks: [{ ...webhook, endpoint: 'https://hook-user:s3cr3t-pass@hooks.example.com:8443/cio?x=1' }] });
    const result = await readStreams([{ definition: reportingWebhooks }]);
    const [record] = result.records('reporting_webhooks');
    expect(record.endpoint).toBe('https://hooks.example.com:8443/cio?x=1');
    expect(JSON.stringify(result.messages)).not.toMatch(/s3cr3t-pass|hook-user/);
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['https://user:pass@example.com/hook', 'https://example.com/hook'],
    ['https://token@example.com/hook?a=1#f', 'https://example.com/hook?a=1#f'],
    ['http://example.com/hook', 'http://example.com/hook'],
    ['https://example.com/path@not-credentials', 'https://example.com/path@not-credentials'],
    ['https://us er:p@ss@bad host/x', 'https://bad host/x'],
    [null, null],
    [undefined, undefined],
  ])('turns %j into %j', (input, expected) => {
    expect(withoutCredentials(input)).toBe(expected);
  });
});
