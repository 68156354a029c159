/** The receiver's config: a JSON file, secrets from the environment, one sentence per problem, never a secret in it. */
import { DEFAULTS, MIN_TIMESTAMP_AGE, parseReceiverConfig } from '../../src/webhooks/config.js';

const ENV = { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-key-one,whsec-key-two', CIO_WEBHOOK_READ_TOKEN: 'read-token-0123456789abcdefghij' };

it('applies the documented defaults, and takes the secrets from the environment', () => {
  const config = parseReceiverConfig({ store_dir: 'store' }, ENV, '/srv');
  expect(config).toMatchObject({
    host: '0.0.0.0',
    port: 8080,
    path: '/customerio/reporting-webhook',
    storeDir: '/srv/store',
    signingKeys: ['whsec-key-one', 'whsec-key-two'],
    readToken: ENV.CIO_WEBHOOK_READ_TOKEN,
    maxBodyBytes: DEFAULTS.maxBodyBytes,
    retentionSeconds: 30 * 86_400,
    retentionBytes: DEFAULTS.retentionBytes,
    maxTimestampAgeSeconds: 0,
  });
  expect(config.metricsToken).toBeUndefined();
});

it('lets the environment win over the file, and reads the file’s secrets without it', () => {
  const file = { store_dir: '/s', signing_keys: ['whsec-file-key'], read_token: 'file-token-0123456789abcdefgh' };
  expect(parseReceiverConfig(file, {}).signingKeys).toEqual(['whsec-file-key']);
  expect(parseReceiverConfig(file, ENV)).toMatchObject({ signingKeys: ['whsec-key-one', 'whsec-key-two'], readToken: ENV.CIO_WEBHOOK_READ_TOKEN });
});

it('takes the store folder from CIO_WEBHOOK_STORE_DIR when the file names none, the file’s otherwise', () => {
  expect(parseReceiverConfig({}, { ...ENV, CIO_WEBHOOK_STORE_DIR: '/data/webhooks' }).storeDir).toBe('/data/webhooks');
  expect(parseReceiverConfig({ store_dir: '/mine' }, { ...ENV, CIO_WEBHOOK_STORE_DIR: '/data/webhooks' }).storeDir).toBe('/mine');
});

it('turns a limit off with 0', () => {
  expect(parseReceiverConfig({ store_dir: '/s', retention_days: 0, retention_bytes: 0 }, ENV)).toMatchObject({ retentionSeconds: undefined, retentionBytes: undefined });
});

it.each([
  ['no store_dir', {}, {}, /"store_dir" is required/],
  ['an unknown field', { store_dir: '/s', prot: 1 }, {}, /Unknown field\(s\).*"prot"/],
  ['no signing key', { store_dir: '/s' }, { CIO_WEBHOOK_READ_TOKEN: ENV.CIO_WEBHOOK_READ_TOKEN }, /No signing key/],
  ['no read token', { store_dir: '/s' }, { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-key-one' }, /No read token/],
  ['a short read token', { store_dir: '/s' }, { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-key-one', CIO_WEBHOOK_READ_TOKEN: 'short-token' }, /at least 24 characters/],
  ['a read token that is a signing key', { store_dir: '/s' }, { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-key-one-0123456789abcdef', CIO_WEBHOOK_READ_TOKEN: 'whsec-key-one-0123456789abcdef' }, /must differ from every signing key/],
  ['a metrics token that is the read token', { store_dir: '/s' }, { ...ENV, CIO_WEBHOOK_METRICS_TOKEN: ENV.CIO_WEBHOOK_READ_TOKEN }, /metrics token must differ/],
  ['a key listed twice', { store_dir: '/s' }, { ...ENV, CIO_WEBHOOK_SIGNING_KEYS: 'whsec-key-one,whsec-key-one' }, /listed twice/],
  ['a path with ..', { store_dir: '/s', path: '/hooks/../events' }, ENV, /"path" must start with \//],
  ['the read API’s path', { store_dir: '/s', path: '/events' }, ENV, /may not be \/events/],
  ['a port out of range', { store_dir: '/s', port: 70000 }, ENV, /"port" must be an integer from 0 to 65535/],
  ['a timestamp window shorter than Customer.io’s retries', { store_dir: '/s', max_timestamp_age_seconds: 300 }, ENV, /0 \(no check\) or at least 691200/],
  ['a body limit larger than the memory budget', { store_dir: '/s', max_body_bytes: 8 << 20, max_buffered_bytes: 4 << 20 }, ENV, /at least "max_body_bytes"/],
])('refuses %s in one sentence that holds no secret', (_what, file, env, message) => {
  let error: Error | undefined;
  try {
    parseReceiverConfig(file, env);
  } catch (e) {
    error = e as Error;
  }
  expect(error?.message).toMatch(message);
  for (const secret of [...Object.values(env)].flatMap((v) => String(v).split(','))) expect(error?.message).not.toContain(secret);
});

it('accepts a timestamp window of at least 8 days', () => {
  expect(parseReceiverConfig({ store_dir: '/s', max_timestamp_age_seconds: MIN_TIMESTAMP_AGE }, ENV).maxTimestampAgeSeconds).toBe(691_200);
});
