import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, EU_KEY, US_KEY } from './helpers.js';

describe('sandbox auth and hosts', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false });
  });
  afterAll(() => sandbox.close());

  it('serves the US host at /v1 and /us/v1, and the EU host at /eu/v1', async () => {
    expect((await call(sandbox, '/workspaces')).status).toBe(200);
    expect((await call(sandbox, '/workspaces', { base: sandbox.regionUrlTemplate.replace('{region}', 'us') })).status).toBe(200);
    expect((await call(sandbox, '/workspaces', { base: sandbox.euUrl, key: EU_KEY })).status).toBe(200);
  });

  it.each([
    ['a US key on the EU host', US_KEY, 'eu'],
    ['an EU key on the US host', EU_KEY, 'us'],
  ])('answers 401 to %s', async (_name, key, region) => {
    const reply = await call(sandbox, '/workspaces', { key, base: region === 'eu' ? sandbox.euUrl : sandbox.url });
    expect(reply.status).toBe(401);
    expect(reply.body.errors[0].status).toBe('401');
  });

  it.each([
    ['no Authorization header', null],
    ['an unknown key', 'not-a-key'],
  ])('answers 401 with the errors envelope for %s, never echoing the key', async (_name, key) => {
    const reply = await call(sandbox, '/activities', { key });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ errors: [{ detail: expect.any(String), status: '401' }] });
    if (key) expect(reply.text).not.toContain(key);
  });

  it.each([
    ['/no_such_thing', US_KEY],
    ['/esp', US_KEY],
    ['/esp/suppression', US_KEY],
    ['/sending_domains', null],
  ])('answers the unrouted path %s with the plain text "404 page not found" (live), key or none', async (path, key) => {
    const reply = await call(sandbox, path, { key });
    expect([reply.status, reply.text, reply.headers.get('content-type')]).toEqual([404, '404 page not found', 'text/plain; charset=utf-8']);
  });

  it('answers a routed path whose resource does not exist with the JSON 404', async () => {
    const reply = await call(sandbox, '/campaigns/999');
    expect(reply.status).toBe(404);
    expect(reply.body.errors[0].status).toBe('404');
  });

  it('answers 404 for unknown ids', async () => {
    for (const path of ['/campaigns/999', '/campaigns/999/actions', '/segments/999/membership', '/transactional/999/messages', '/customers/nobody/attributes', '/newsletters/0/contents']) {
      const reply = await call(sandbox, path);
      expect([path, reply.status]).toEqual([path, 404]);
    }
  });

  it('needs no key for /v1/info/ip_addresses', async () => {
    const reply = await call(sandbox, '/info/ip_addresses', { key: null });
    expect(reply.status).toBe(200);
    expect(reply.body.ip_addresses.length).toBeGreaterThan(0);
  });

  it('accepts keys given in the options', async () => {
    const custom = await startSandbox({ keys: { 'k-eu': 'eu' }, rateLimit: false });
    try {
      expect((await call(custom, '/workspaces', { key: 'k-eu', base: custom.euUrl })).status).toBe(200);
      expect((await call(custom, '/workspaces', { key: US_KEY })).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});
