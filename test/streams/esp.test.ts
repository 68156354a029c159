/** esp_suppressions against nock: four partitions (times each sending domain), offset paging. */
import nock from 'nock';
import { espSuppressions } from '../../src/customerio/streams/esp.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

const suppression = (n: number) => ({ created: 1_650_895_738 + n, email: `person${n}@example.com`, reason: 'Uploaded manually via api.customer.io', status: '550' });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('esp_suppressions', () => {
  it('reads bounces, blocks, spam_reports and invalid_emails with limit=1000 and a growing offset, each page from the last address of the one before, until a short page', async () => {
    const fullPage = Array.from({ length: 1000 }, (_, i) => suppression(i));
    const api = nock(API)
      .get('/v1/esp/suppression/bounces')
      .query({ limit: '1000', offset: '0' })
      .reply(200, { category: 'bounces', suppressions: fullPage })
      // Each page from the page before's last address (overlappingOffsetPaginator): 999 opens page 2, printed once.
      .get('/v1/esp/suppression/bounces')
      .query({ limit: '1000', offset: '999' })
      .reply(200, { category: 'bounces', suppressions: [suppression(999), suppression(1000)] })
      .get('/v1/esp/suppression/blocks')
      .query({ limit: '1000', offset: '0' })
      .reply(200, { category: 'blocks', suppressions: [suppression(1)] })
      .get('/v1/esp/suppression/spam_reports')
      .query({ limit: '1000', offset: '0' })
      .reply(200, { category: 'spam', suppressions: [] })
      .get('/v1/esp/suppression/invalid_emails')
      .query({ limit: '1000', offset: '0' })
      .reply(200, { suppressions: [suppression(2)] });
    const result = await readStreams([{ definition: espSuppressions }]);
    api.done();
    const records = result.records('esp_suppressions');
    const count = (type: string) => records.filter((r) => r.suppression_type === type).length;
    expect([count('bounces'), count('blocks'), count('spam_reports'), count('invalid_emails')]).toEqual([1001, 1, 0, 1]);
    expect(records.find((r) => r.suppression_type === 'blocks')).toEqual({ ...suppression(1), suppression_type: 'blocks', domain: '' });
    expectRecordsMatchSchema(espSuppressions, records);
  });

  it('keeps an address suppressed for two reasons as two rows', async () => {
    nock(API)
      .get(/\/v1\/esp\/suppression\/(bounces|blocks)/)
      .times(2)
      .query(true)
      .reply(200, { suppressions: [suppression(7)] })
      .get(/\/v1\/esp\/suppression\/(spam_reports|invalid_emails)/)
      .times(2)
      .query(true)
      .reply(200, { suppressions: [] });
    const result = await readStreams([{ definition: espSuppressions }]);
    const keys = result.records('esp_suppressions').map((r) => `${r.suppression_type}/${r.email}`).sort();
    expect(keys).toEqual(['blocks/person7@example.com', 'bounces/person7@example.com']);
  });

  it('reads every list once per sending domain with domain=<domain>, and an address on two domains is two rows', async () => {
    const domains = ['mail.example.com', 'news.example.com'];
    const api = nock(API);
    for (const type of ['bounces', 'blocks', 'spam_reports', 'invalid_emails']) {
      for (const domain of domains) {
        api
          .get(`/v1/esp/suppression/${type}`)
          .query({ limit: '1000', offset: '0', domain })
          .reply(200, { category: type, suppressions: type === 'bounces' ? [suppression(7)] : null });
      }
    }
    const result = await readStreams([{ definition: espSuppressions }], { config: { esp_suppression_domains: domains } });
    api.done();
    const records = result.records('esp_suppressions');
    expect(records.map((r) => [r.suppression_type, r.domain, r.email]).sort()).toEqual([
      ['bounces', 'mail.example.com', 'person7@example.com'],
      ['bounces', 'news.example.com', 'person7@example.com'],
    ]);
    expectRecordsMatchSchema(espSuppressions, records);
  });

  it('pages a domain\'s list by offset with the domain on every page', async () => {
    const fullPage = Array.from({ length: 1000 }, (_, i) => suppression(i));
    const api = nock(API)
      .get('/v1/esp/suppression/bounces')
      .query({ limit: '1000', offset: '0', domain: 'mail.example.com' })
      .reply(200, { suppressions: fullPage })
      .get('/v1/esp/suppression/bounces')
      .query({ limit: '1000', offset: '999', domain: 'mail.example.com' })
      .reply(200, { suppressions: [suppression(999)] })
      .get(/\/v1\/esp\/suppression\/(blocks|spam_reports|invalid_emails)/)
      .times(3)
      .query({ limit: '1000', offset: '0', domain: 'mail.example.com' })
      .reply(200, { suppressions: [] });
    const result = await readStreams([{ definition: espSuppressions }], { config: { esp_suppression_domains: ['mail.example.com'] } });
    api.done();
    expect(new Set(result.records('esp_suppressions').map((r) => r.domain))).toEqual(new Set(['mail.example.com']));
    expect(result.records('esp_suppressions')).toHaveLength(1000);
  });

  describe('a list that shrinks while it is read', () => {
    const page = (from: number, to: number, skip: number[] = []) => Array.from({ length: to - from }, (_, i) => from + i).filter((n) => !skip.includes(n)).map(suppression);
    const others = () =>
      nock(API)
        .get(/\/v1\/esp\/suppression\/(blocks|spam_reports|invalid_emails)/)
        .times(3)
        .query(true)
        .reply(200, { suppressions: [] });

    it('asks page 1\'s places again when page 2 does not open with page 1\'s last address (one was lifted from page 1)', async () => {
      // 0–1000; 5 is lifted after page 1: 999 moved onto the 998th place, and page 2 (from 999) opens with 1000.
      nock(API)
        .get('/v1/esp/suppression/bounces')
        .query({ limit: '1000', offset: '0' })
        .reply(200, { suppressions: page(0, 1000) })
        .get('/v1/esp/suppression/bounces')
        .query({ limit: '1000', offset: '999' })
        .reply(200, { suppressions: page(1000, 1001) })
        .get('/v1/esp/suppression/bounces')
        .query({ limit: '1000', offset: '0' })
        .reply(200, { suppressions: page(0, 1001, [5]) });
      others();
      const result = await readStreams([{ definition: espSuppressions }]);
      expect(result.errors).toEqual([]);
      expect(result.records('esp_suppressions').map((r) => r.email)).toEqual(page(0, 1001).map((s) => s.email));
      expect(nock.pendingMocks()).toEqual([]);
    });

    it('steps back a page when more moved past than the overlap holds, and prints each address once', async () => {
      // 0–1500; 3, 4 and 5 are lifted after page 1: page 2 (from 999) opens with 1002, and 1000, 1001 moved onto page 1.
      nock(API)
        .get('/v1/esp/suppression/bounces')
        .query({ limit: '1000', offset: '0' })
        .reply(200, { suppressions: page(0, 1000) })
        .get('/v1/esp/suppression/bounces')
        .query({ limit: '1000', offset: '999' })
        .reply(200, { suppressions: page(1002, 1500) })
        .get('/v1/esp/suppression/bounces')
        .query({ limit: '1000', offset: '0' })
        .reply(200, { suppressions: page(0, 1002, [3, 4, 5]) });
      others();
      const result = await readStreams([{ definition: espSuppressions }]);
      expect(result.errors).toEqual([]);
      const emails = result.records('esp_suppressions').map((r) => r.email);
      expect([...emails].sort()).toEqual(page(0, 1500).map((s) => s.email).sort());
      expect(nock.pendingMocks()).toEqual([]);
    });
  });
});
