/**
 * What the receiver makes of an authentic body: its key (event_id, or the body's hash) and its flags. Every object
 * type and metric of the contract is known; anything else is flagged, never refused.
 */
import { createHash } from 'node:crypto';
import { BODY_KEY_PREFIX, classify } from '../../src/webhooks/body.js';
import { METRICS, OBJECT_TYPES, SCHEMALESS } from '../../src/webhooks/contract.js';

const whole = (body: Buffer, truncated = false) => ({ sha256: createHash('sha256').update(body).digest('hex'), truncated });
const of = (value: unknown) => {
  const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return classify(body, whole(body));
};

it('knows the contract’s 8 object types and 69 object type/metric pairs', () => {
  expect([...OBJECT_TYPES].sort()).toEqual(['customer', 'email', 'in_app', 'push', 'slack', 'sms', 'webhook', 'whatsapp']);
  expect(Object.values(METRICS).reduce((n, list) => n + list.length, 0)).toBe(69);
  expect(new Set(Object.values(METRICS).flat()).size).toBe(16);
});

const PAIRS = [...Object.entries(METRICS), ...Object.entries(SCHEMALESS)].flatMap(([type, metrics]) => metrics.map((metric) => [type, metric] as const));

it.each(PAIRS)('takes %s/%s as a known event keyed by its event_id', (objectType, metric) => {
  expect(of({ event_id: '01E4C4CT6YDC7Y5M7FE1GWWPQJ', object_type: objectType, metric, timestamp: 1613063089, data: {} })).toEqual({
    eventId: '01E4C4CT6YDC7Y5M7FE1GWWPQJ',
    flags: [],
    text: expect.any(String),
  });
});

it.each([
  ['a preference change caused by an email', { object_type: 'email', metric: 'cio_subscription_preferences_changed' }, []],
  ['an unsubscribe from an email link', { object_type: 'email', metric: 'unsubscribed' }, []],
  // The vendor's enum for push_drafted says "attempted" (a copy error): both are known.
  ['push drafted', { object_type: 'push', metric: 'drafted' }, []],
  ['a new metric', { object_type: 'email', metric: 'forwarded' }, ['unknown_metric']],
  ['a new object type', { object_type: 'carrier_pigeon', metric: 'sent' }, ['unknown_object_type']],
  ['no object type (the preferences schema misspells it object_type_type)', { object_type_type: 'customer', metric: 'cio_subscription_preferences_changed' }, ['unknown_object_type']],
  ['a metric that is a number', { object_type: 'sms', metric: 7 }, ['unknown_metric']],
])('flags %s, and keeps it', (_what, fields, flags) => {
  const got = of({ event_id: 'E1', timestamp: 1, data: {}, ...fields });
  expect(got.eventId).toBe('E1');
  expect(got.flags).toEqual(flags);
});

it.each([
  ['text that is not JSON', 'hello, this is not JSON', ['not_json', 'no_event_id']],
  ['an empty body', '', ['not_json', 'no_event_id']],
  ['a JSON array (a batch of events)', '[{"event_id":"E1"}]', ['not_an_object', 'no_event_id']],
  ['a JSON string', '"E1"', ['not_an_object', 'no_event_id']],
  ['an object without event_id', '{"object_type":"email","metric":"sent"}', ['no_event_id']],
  ['an event_id that is a number', '{"event_id":12,"object_type":"email","metric":"sent"}', ['no_event_id']],
  ['an event_id too long to be one', JSON.stringify({ event_id: 'x'.repeat(300), object_type: 'email', metric: 'sent' }), ['no_event_id']],
])('keys %s by the hash of its bytes', (_what, body, flags) => {
  const got = of(body);
  expect(got.eventId).toBe(`${BODY_KEY_PREFIX}${createHash('sha256').update(body).digest('hex').slice(0, 40)}`);
  expect(got.flags).toEqual(flags);
  expect(got.text).toBe(body);
});

it('keeps a body that is not UTF-8 as base64 (no text), keyed by its hash', () => {
  const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  expect(classify(body, whole(body))).toEqual({ eventId: `${BODY_KEY_PREFIX}${whole(body).sha256.slice(0, 40)}`, flags: ['not_utf8', 'no_event_id'] });
});

it('keys a body cut at the size limit by the event_id it begins with, or by the whole body’s hash', () => {
  const full = Buffer.from(JSON.stringify({ event_id: 'E-CUT', object_type: 'email', metric: 'sent', data: { content: 'é'.repeat(100) } }));
  // Cut in the middle of the sixth "é" (2 bytes each): still text, without the half character.
  const at = full.indexOf(Buffer.from('é')) + 2 * 5 + 1;
  const got = classify(full.subarray(0, at), whole(full, true));
  expect(got).toEqual({ eventId: 'E-CUT', flags: ['too_large'], text: full.subarray(0, at - 1).toString('utf8') });
  expect(got.text!.endsWith('ééééé')).toBe(true);
  const headless = Buffer.from(`{"data":{"content":"${'a'.repeat(200)}"},"event_id":"E-LATE"}`);
  expect(classify(headless.subarray(0, 100), whole(headless, true))).toEqual({
    eventId: `${BODY_KEY_PREFIX}${whole(headless).sha256.slice(0, 40)}`,
    flags: ['too_large', 'no_event_id'],
    text: headless.subarray(0, 100).toString('utf8'),
  });
});
