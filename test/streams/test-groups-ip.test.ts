/** newsletter_test_groups and ip_addresses against nock. */
import nock from 'nock';
import { ipAddresses, ipRecords } from '../../src/customerio/streams/info.js';
import { newsletterTestGroups } from '../../src/customerio/streams/newsletters.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('newsletter_test_groups', () => {
  it('reads each newsletter\'s test groups, naming the newsletter; group ids start at 0', async () => {
    const api = nock(API)
      .get('/v1/newsletters')
      .query({ limit: '100' })
      .reply(200, { newsletters: [{ id: 7 }, { id: 8 }, { id: 9 }] })
      .get('/v1/newsletters/7/test_groups')
      .reply(200, {
        test_groups: [
          { id: 0, name: 'A', label: 'test 1', winner: false, content_ids: [25, 26] },
          { id: 2, name: 'B', label: 'test 2', winner: true, content_ids: [27] },
        ],
      })
      // Without an A/B test: an empty list or a 404 [inferred], both no groups and no WARN.
      .get('/v1/newsletters/8/test_groups')
      .reply(200, { test_groups: [] })
      .get('/v1/newsletters/9/test_groups')
      .reply(404, { errors: [{ detail: 'The newsletter or variant does not exist.' }] });
    const result = await readStreams([{ definition: newsletterTestGroups }]);
    api.done();
    const records = result.records('newsletter_test_groups');
    expect(records).toEqual([
      { newsletter_id: 7, id: 0, name: 'A', label: 'test 1', winner: false, content_ids: [25, 26] },
      { newsletter_id: 7, id: 2, name: 'B', label: 'test 2', winner: true, content_ids: [27] },
    ]);
    expect(newsletterTestGroups.primaryKey).toEqual([['newsletter_id'], ['id']]);
    expectRecordsMatchSchema(newsletterTestGroups, records);
    expect(result.logs('WARN')).toEqual([]);
    expect(result.statuses('newsletter_test_groups').at(-1)).toBe('COMPLETE');
  });
});

describe('ip_addresses', () => {
  it('reads the documented ip_addresses list as one {ip} record per address', async () => {
    const api = nock(API).get('/v1/info/ip_addresses').reply(200, { ip_addresses: ['35.188.196.183', '104.198.177.219'] });
    const result = await readStreams([{ definition: ipAddresses }]);
    api.done();
    const records = result.records('ip_addresses');
    expect(records).toEqual([{ ip: '35.188.196.183' }, { ip: '104.198.177.219' }]);
    expect(ipAddresses.primaryKey).toEqual([['ip']]);
    expectRecordsMatchSchema(ipAddresses, records);
  });

  it.each([
    ['ingestr\'s ips key', { ips: ['1.2.3.4'] }, ['1.2.3.4']],
    ['both keys, each address once', { ip_addresses: ['1.2.3.4', ' 5.6.7.8 '], ips: ['5.6.7.8', '9.9.9.9'] }, ['1.2.3.4', '5.6.7.8', '9.9.9.9']],
    ['objects with ip or address', { ip_addresses: [{ ip: '1.2.3.4' }, { address: '5.6.7.8' }, { other: 1 }, null, ''] }, ['1.2.3.4', '5.6.7.8']],
  ])('accepts %s', (_label, body, expected) => {
    expect(ipRecords(body as Record<string, unknown>).map((r) => r.ip)).toEqual(expected);
  });

  it('says in a WARN that an answer has neither list, rather than completing silently with nothing', async () => {
    nock(API).get('/v1/info/ip_addresses').reply(200, { addresses: ['1.2.3.4'] });
    const result = await readStreams([{ definition: ipAddresses }]);
    expect(result.records('ip_addresses')).toEqual([]);
    expect(result.logs('WARN')).toEqual([expect.stringMatching(/^ip_addresses: skipped record .*neither an "ip_addresses" nor an "ips" list/)]);
  });
});
