/** customers against nock: the search request and its paging, attribute batches of 100, options, record shape. */
import nock from 'nock';
import { parseConfig } from '../../src/config.js';
import { customers } from '../../src/customerio/streams/customers.js';
import { API, API_KEY, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

const EVERYONE = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };

const identifiers = (n: number) => ({ cio_id: `a${3_000_000 + n}`, email: `person${n}@example.com`, id: String(n) });

const profile = (n: number) => ({
  id: String(n),
  identifiers: identifiers(n),
  attributes: { created_at: '1489014595', email: `person${n}@example.com`, plan: 'pro', _last_emailed: '1700000000' },
  timestamps: { created_at: 1_489_014_595 },
  unsubscribed: n % 2 === 0,
  devices: [{ id: `dev${n}`, platform: 'ios', last_used: 1_514_764_800 }],
});

/** An attributes answer with the profile of each cio_id asked for; each call's ids are noted in `calls`. */
const profilesOf = (calls: string[][]) => (_uri: string, body: unknown) => {
  const ids = (body as { ids: string[] }).ids;
  calls.push(ids);
  return { customers: ids.map((cioId) => ({ customer: profile(Number(cioId.slice(1)) - 3_000_000) })) };
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('customers', () => {
  it('searches everyone with limit=1000 and fetches attributes by cio_id in batches of 100, page after page', async () => {
    const firstPage = range(1, 150);
    const calls: string[][] = [];
    const api = nock(API)
      .post('/v1/customers', { filter: EVERYONE })
      .query({ limit: '1000' })
      .matchHeader('authorization', `Bearer ${API_KEY}`)
      .reply(200, { identifiers: firstPage.map(identifiers), ids: firstPage.map(String), next: 'MDox' })
      .post('/v1/customers', { filter: EVERYONE })
      .query({ limit: '1000', start: 'MDox' })
      .reply(200, { identifiers: [identifiers(151)], ids: ['151'], next: '' })
      .post('/v1/customers/attributes')
      .query({ id_type: 'cio_id' })
      .times(3)
      .reply(200, profilesOf(calls));
    const result = await readStreams([{ definition: customers }]);
    api.done();
    expect(calls.map((ids) => ids.length).sort((a, b) => a - b)).toEqual([1, 50, 100]);
    expect(calls.flat().sort()).toEqual(range(1, 151).map((n) => identifiers(n).cio_id).sort());
    const records = result.records('customers');
    expect(records).toHaveLength(151);
    expect(records[1]).toEqual({
      cio_id: 'a3000002',
      id: '2',
      email: 'person2@example.com',
      identifiers: identifiers(2),
      attributes: { created_at: '1489014595', email: 'person2@example.com', plan: 'pro', _last_emailed: '1700000000' },
      unsubscribed: true,
      devices: [{ id: 'dev2', platform: 'ios', last_used: 1_514_764_800 }],
      timestamps: { created_at: 1_489_014_595 },
    });
    expectRecordsMatchSchema(customers, records);
  });

  it('accepts flat attribute elements and keeps a person the attributes answer left out, with attributes null', async () => {
    nock(API)
      .post('/v1/customers')
      .query(true)
      .reply(200, { identifiers: [identifiers(1), identifiers(2)], ids: ['1', '2'] })
      .post('/v1/customers/attributes')
      .query({ id_type: 'cio_id' })
      .reply(200, { customers: [profile(1)] });
    const records = (await readStreams([{ definition: customers }])).records('customers');
    expect(records.map((r) => [r.cio_id, r.attributes === null])).toEqual([
      ['a3000001', false],
      ['a3000002', true],
    ]);
    expect(records[1]).toMatchObject({ unsubscribed: null, devices: null, timestamps: null, identifiers: identifiers(2) });
    expectRecordsMatchSchema(customers, records);
  });

  it('coerces numeric ids to strings and prefers identifiers over ids, which hold "" for people without an id', async () => {
    nock(API)
      .post('/v1/customers')
      .query(true)
      .reply(200, { identifiers: [{ cio_id: 'a1', email: 'x@example.com', id: 7 }, { cio_id: 'a2', email: null, id: '' }], ids: ['7', ''] })
      .post('/v1/customers/attributes')
      .query(true)
      .reply(200, { customers: [] });
    const records = (await readStreams([{ definition: customers }])).records('customers');
    expect(records.map((r) => [r.cio_id, r.id, r.email])).toEqual([
      ['a1', '7', 'x@example.com'],
      ['a2', null, null],
    ]);
    expectRecordsMatchSchema(customers, records);
  });

  it('skips people without a cio_id (not looked up, not printed) and says how many in one WARN for the whole read', async () => {
    const noCioId = [{ email: 'a@example.com', id: '1' }, { cio_id: null, email: 'b@example.com', id: '2' }, { cio_id: '', email: null, id: '3' }];
    const attributeCalls: string[][] = [];
    const api = nock(API)
      .post('/v1/customers')
      .query({ limit: '1000' })
      .reply(200, { identifiers: [identifiers(1), noCioId[0], identifiers(2), noCioId[1]], ids: ['1', '1', '2', '2'], next: 'MDox' })
      .post('/v1/customers')
      .query({ limit: '1000', start: 'MDox' })
      .reply(200, { identifiers: [noCioId[2], identifiers(3)], ids: ['3', '3'], next: '' })
      .post('/v1/customers/attributes')
      .query({ id_type: 'cio_id' })
      .times(2)
      .reply(200, profilesOf(attributeCalls));
    const result = await readStreams([{ definition: customers }]);
    api.done();
    expect(attributeCalls).toEqual([['a3000001', 'a3000002'], ['a3000003']]);
    expect(result.records('customers').map((r) => r.cio_id)).toEqual(['a3000001', 'a3000002', 'a3000003']);
    expect(result.logs('WARN')).toEqual(['customers: skipped 3 people without a cio_id']);
    expect(result.statuses('customers')).toContain('COMPLETE');
  });

  it('says nothing about skipped people when everyone has a cio_id', async () => {
    nock(API)
      .post('/v1/customers')
      .query(true)
      .reply(200, { identifiers: [identifiers(1)], ids: ['1'] })
      .post('/v1/customers/attributes')
      .query(true)
      .reply(200, { customers: [{ customer: profile(1) }] });
    const result = await readStreams([{ definition: customers }]);
    expect(result.records('customers')).toHaveLength(1);
    expect(result.logs('WARN')).toEqual([]);
  });

  it('makes no attributes call for a page whose people all lack a cio_id', async () => {
    // No attributes interceptor: a call would fail the read (network disabled).
    nock(API)
      .post('/v1/customers')
      .query(true)
      .reply(200, { identifiers: [{ email: 'a@example.com', id: '1' }, { email: 'b@example.com', id: '2' }], ids: ['1', '2'] });
    const result = await readStreams([{ definition: customers }]);
    expect(result.errors).toEqual([]);
    expect(result.records('customers')).toEqual([]);
    expect(result.logs('WARN')).toEqual(['customers: skipped 2 people without a cio_id']);
    expect(result.statuses('customers')).toContain('COMPLETE');
  });

  it('sends customer_filter, given as a JSON string, as the search body', async () => {
    const filter = { or: [{ segment: { id: 4 } }, { attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] };
    const api = nock(API).post('/v1/customers', { filter }).query({ limit: '1000' }).reply(200, { identifiers: [], ids: [] });
    const result = await readStreams([{ definition: customers }], { config: { customer_filter: JSON.stringify(filter) } });
    api.done();
    expect(result.records('customers')).toEqual([]);
    expect(result.statuses('customers')).toContain('COMPLETE');
  });

  it('sends customer_filter given as an object, and keeps only the customer_attributes listed', async () => {
    const filter = { segment: { id: 9 } };
    const api = nock(API)
      .post('/v1/customers', { filter })
      .query(true)
      .reply(200, { identifiers: [identifiers(1)], ids: ['1'] })
      .post('/v1/customers/attributes', { ids: ['a3000001'] })
      .query({ id_type: 'cio_id' })
      .reply(200, { customers: [{ customer: profile(1) }] });
    const records = (await readStreams([{ definition: customers }], { config: { customer_filter: filter, customer_attributes: ['plan', 'missing'] } })).records('customers');
    api.done();
    expect(records[0].attributes).toEqual({ plan: 'pro' });
  });

  it('rejects an invalid customer_filter before any request, with a config_error pointing at the bad part', () => {
    // nock has no interceptor here: any request would fail the test's disabled network.
    const attempt = () => parseConfig({ app_api_key: API_KEY, customer_filter: '{"and":[{"attribute":{"field":"plan","operator":"eq"}}]}' });
    expect(attempt).toThrow(/customer_filter.*filter\.and\[0\]\.attribute\.value is required/);
    try {
      attempt();
    } catch (error) {
      expect((error as { failureType?: string }).failureType).toBe('config_error');
    }
  });

  it('fails the stream (not silently empty) when the attributes call is refused', async () => {
    nock(API)
      .post('/v1/customers')
      .query(true)
      .reply(200, { identifiers: [identifiers(1)], ids: ['1'] })
      .post('/v1/customers/attributes')
      .query(true)
      .reply(400, { errors: [{ detail: 'ids must not be empty', status: '400' }] });
    const result = await readStreams([{ definition: customers }]);
    expect(result.records('customers')).toEqual([]);
    expect(result.statuses('customers')).toContain('INCOMPLETE');
    expect(result.errors[0].message).toMatch(/customers.*ids must not be empty/);
  });
});
