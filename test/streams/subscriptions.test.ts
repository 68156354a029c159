/** subscription_channels and optouts against nock: the `channels` envelope, and opt-outs paged by start/limit until the next key is gone. */
import nock from 'nock';
import { subscriptionChannels } from '../../src/customerio/streams/listings.js';
import { optouts } from '../../src/customerio/streams/optouts.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

const channel = (id: number, type: string) => ({ id, type, name: type.toUpperCase(), description: `${type} messages`, subscribed_by_default: type !== 'sms' });
const person = (n: number, entries: Array<{ channel: string; from: string }>, customerId: string | null = String(n)) => ({ customer_id: customerId, cio_id: `a30000${n}`, optouts: entries });
const SMS = { channel: 'sms', from: '+15551234567' };
const WHATSAPP = { channel: 'whatsapp', from: '+15559876543' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('subscription_channels', () => {
  it('reads the list under channels in one request, ids as integers', async () => {
    const api = nock(API)
      .get('/v1/subscription_channels')
      .reply(200, { channels: [channel(1, 'email'), { ...channel(2, 'sms'), id: '2' }] });
    const result = await readStreams([{ definition: subscriptionChannels }]);
    api.done();
    expect(result.records('subscription_channels')).toEqual([channel(1, 'email'), channel(2, 'sms')]);
    expectRecordsMatchSchema(subscriptionChannels, result.records('subscription_channels'));
  });

  it('completes with no records for a workspace without channel options ([] as seen live, or null)', async () => {
    for (const body of [{ channels: [] }, { channels: null }]) {
      nock(API).get('/v1/subscription_channels').reply(200, body);
      const result = await readStreams([{ definition: subscriptionChannels }]);
      expect(result.records('subscription_channels')).toEqual([]);
      expect(result.statuses('subscription_channels').at(-1)).toBe('COMPLETE');
    }
  });
});

describe('optouts', () => {
  it('asks 1000 a page without a start token, sends next back as start, and stops when the answer has no next key', async () => {
    const api = nock(API)
      .get('/v1/optouts')
      .query({ limit: '1000' })
      .reply(200, { optouts: [person(1, [SMS]), person(2, [SMS, WHATSAPP])], next: 'MTox' })
      .get('/v1/optouts')
      .query({ limit: '1000', start: 'MTox' })
      // The last page: no next key at all (seen live).
      .reply(200, { optouts: [person(3, [WHATSAPP], null)] });
    const result = await readStreams([{ definition: optouts }]);
    api.done();
    const records = result.records('optouts');
    expect(records).toEqual([person(1, [SMS]), person(2, [SMS, WHATSAPP]), person(3, [WHATSAPP], null)]);
    expect(optouts.primaryKey).toEqual([['cio_id']]);
    expectRecordsMatchSchema(optouts, records);
    expect(result.statuses('optouts').at(-1)).toBe('COMPLETE');
  });

  it('stops on an empty page whatever next says, reads "" and null as no customer_id, and leaves out a person without a cio_id with one WARN', async () => {
    const api = nock(API)
      .get('/v1/optouts')
      .query({ limit: '1000' })
      .reply(200, { optouts: [person(1, [SMS], ''), { customer_id: '9', cio_id: null, optouts: [SMS] }, { ...person(4, []), optouts: null }], next: 'Mjoz' })
      .get('/v1/optouts')
      .query({ limit: '1000', start: 'Mjoz' })
      .reply(200, { optouts: [], next: 'Mzo2' });
    const result = await readStreams([{ definition: optouts }]);
    api.done();
    expect(result.records('optouts')).toEqual([person(1, [SMS], null), person(4, [])]);
    expect(result.logs('WARN').join('\n')).toMatch(/optouts: skipped 1 person without a cio_id/);
  });

  it('prints a person listed again on a later page (the list shifted) once', async () => {
    nock(API)
      .get('/v1/optouts')
      .query({ limit: '1000' })
      .reply(200, { optouts: [person(1, [SMS]), person(2, [SMS])], next: 'MToy' })
      .get('/v1/optouts')
      .query({ limit: '1000', start: 'MToy' })
      .reply(200, { optouts: [person(2, [SMS]), person(3, [SMS])] });
    const result = await readStreams([{ definition: optouts }]);
    expect(result.records('optouts').map((r) => r.cio_id)).toEqual(['a300001', 'a300002', 'a300003']);
  });
});
