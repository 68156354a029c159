/** The data keys declared per activity type (activities_<type> streams), and how their values are given one type. */
import { dataProperties, knownDataKeys, messageActivity, normalizeData } from '../../src/customerio/streams/activity-data.js';

describe('messageActivity', () => {
  it.each([
    ['sent_email', { verb: 'sent', channel: 'email' }],
    ['clicked_email', { verb: 'clicked', channel: 'email' }],
    ['human_clicked_email', { verb: 'human_clicked', channel: 'email' }],
    ['delivered_in_app', { verb: 'delivered', channel: 'in_app' }],
    ['opened_live_notification', { verb: 'opened', channel: 'live_notification' }],
    ['Sent_Push', { verb: 'sent', channel: 'push' }],
    ['sent_action', { verb: 'sent', channel: 'action' }],
    ['attribute_change', undefined],
    ['event', undefined],
    ['_email', undefined],
    ['email', undefined],
  ])('%s → %j', (type, expected) => {
    expect(messageActivity(type)).toEqual(expected);
  });
});

describe('knownDataKeys', () => {
  it.each([
    // The OpenAPI's message delivery shape, plus the activity's own verb [inferred].
    ['sent_email', ['delivery_id', 'delivered', 'opened', 'sent']],
    ['delivered_email', ['delivery_id', 'delivered', 'opened']],
    ['opened_push', ['delivery_id', 'delivered', 'opened']],
    ['failed_email', ['delivery_id', 'delivered', 'opened', 'failed', 'failure_message']],
    ['bounced_email', ['delivery_id', 'delivered', 'opened', 'bounced', 'failure_message']],
    ['profile_merge', ['merged_cio_id']],
    ['device_change', ['platform', 'token']],
    // Keys named by the workspace (attributes, an event's properties): nothing to declare.
    ['attribute_change', []],
    ['event', []],
    ['page', []],
    ['screen', []],
    ['webhook_event', []],
    ['profile_create', []],
    ['something_new', []],
  ])('%s declares %j', (type, keys) => {
    expect(Object.keys(knownDataKeys(type))).toEqual(keys);
  });

  it('types delivered as unix seconds (documented) and lets a verb be a time or a flag (the OpenAPI types opened as a boolean)', () => {
    const keys = knownDataKeys('clicked_email');
    expect(keys.delivery_id.type).toEqual(['string', 'null']);
    expect(keys.delivered.type).toEqual(['integer', 'null']);
    expect(keys.opened.type).toEqual(['integer', 'boolean', 'null']);
    expect(keys.clicked.type).toEqual(['integer', 'boolean', 'null']);
  });

  it('prefixes each key as its flattened field is named', () => {
    expect(Object.keys(dataProperties('sent_email'))).toEqual(['data_delivery_id', 'data_delivered', 'data_opened', 'data_sent']);
  });
});

describe('normalizeData', () => {
  it('makes ids text and times sent as digits integers, and leaves other keys and other values as they came', () => {
    expect(normalizeData('sent_email', { delivery_id: 1234, sent: '1717200000', opened: false, delivered: null, link: { href: 'x' } })).toEqual({
      delivery_id: '1234',
      sent: 1717200000,
      opened: false,
      delivered: null,
      link: { href: 'x' },
    });
    expect(normalizeData('profile_merge', { merged_cio_id: 77 })).toEqual({ merged_cio_id: '77' });
    expect(normalizeData('attribute_change', { plan: { from: 'a', to: 'b' } })).toEqual({ plan: { from: 'a', to: 'b' } });
  });
});
