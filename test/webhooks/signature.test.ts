/** The signature of Customer.io's reporting webhooks: hex HMAC-SHA256 of "v0:" + timestamp + ":" + raw body. */
import { headerProblem, sameSecret, signatureOf, verify, Verifier } from '../../src/webhooks/signature.js';

const BODY = '{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"sent"}';

it('computes the contract’s test vector', () => {
  expect(signatureOf('whsec-test-key', '1613063089', BODY)).toBe('ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6');
});

it.each([
  ['the right key', ['whsec-test-key'], 'ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6', true],
  ['the signature in upper case', ['whsec-test-key'], 'EE293C738E9B78F1BFB968F3C5B481861E22D775F5FCA96D5DEC312EE4A08BB6', true],
  ['the old key during a rotation', ['whsec-new-key', 'whsec-test-key'], 'ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6', true],
  ['another key only', ['whsec-other-key'], 'ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6', false],
  ['one digit changed', ['whsec-test-key'], 'ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb7', false],
  ['no signature', ['whsec-test-key'], undefined, false],
  ['a signature that is not hex', ['whsec-test-key'], 'zz293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6', false],
  ['a signature too short', ['whsec-test-key'], 'ee293c738e9b78f1', false],
])('verifies a body signed with %s: %s', (_what, keys, signature, expected) => {
  expect(verify(keys, '1613063089', signature, BODY)).toBe(expected);
});

it('signs the timestamp as received and the body byte for byte', () => {
  const signature = signatureOf('whsec-test-key', '1613063089', BODY);
  expect(verify(['whsec-test-key'], '1613063090', signature, BODY)).toBe(false);
  expect(verify(['whsec-test-key'], '1613063089', signature, `${BODY} `)).toBe(false);
  // The same event re-serialised (key order, spaces) is another body: the raw bytes are what is signed.
  expect(verify(['whsec-test-key'], '1613063089', signature, JSON.stringify(JSON.parse(BODY), null, 1))).toBe(false);
});

it('verifies a body fed in chunks as it streams in, with every key compared', () => {
  const verifier = new Verifier(['whsec-a-key', 'whsec-test-key', 'whsec-c-key'], '1613063089');
  for (let i = 0; i < BODY.length; i += 7) verifier.update(Buffer.from(BODY.slice(i, i + 7)));
  expect(verifier.matches('ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6')).toBe(true);
});

it.each([
  [undefined, 'ab'.repeat(32), 'missing_signature'],
  ['1613063089', undefined, 'missing_signature'],
  ['1613063089', 'ab'.repeat(31), 'malformed_signature'],
  ['2021-02-11', 'ab'.repeat(32), 'malformed_signature'],
  ['1613063089', 'ab'.repeat(32), undefined],
])('tells a request with timestamp %s and signature %s apart before reading its body: %s', (timestamp, signature, problem) => {
  expect(headerProblem(timestamp, signature)).toBe(problem);
});

it('compares tokens whatever their lengths', () => {
  expect(sameSecret('read-token-0123456789abcdef', 'read-token-0123456789abcdef')).toBe(true);
  expect(sameSecret('read-token-0123456789abcdeX', 'read-token-0123456789abcdef')).toBe(false);
  expect(sameSecret('read-token', 'read-token-0123456789abcdef')).toBe(false);
  expect(sameSecret('', 'read-token-0123456789abcdef')).toBe(false);
});
