/** `check` (customerio/check.ts) against nock: one authenticated call, and a message that names the fix. */
import nock from 'nock';
import { checkConnection } from '../../src/customerio/check.js';
import { API_KEY, testConfig } from './fixtures.js';

const US = 'https://api.customer.io';
const EU = 'https://api-eu.customer.io';
const WORKSPACES = { workspaces: [{ id: '13', name: 'Workspace 1', messages_sent: 100202, billable_messages_sent: 75124, people: 25666, object_types: 4, objects: 10 }] };
const UNAUTHORIZED = { errors: [{ detail: 'invalid credentials', status: '401', code: 'invalid_credentials' }] };

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('checkConnection', () => {
  it('succeeds after a real authenticated call and names the workspace', async () => {
    const scope = nock(US, { reqheaders: { authorization: `Bearer ${API_KEY}` } }).get('/v1/workspaces').reply(200, WORKSPACES);
    const result = await checkConnection(testConfig());
    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({ status: 'SUCCEEDED', message: 'Connected to workspace Workspace 1 (id 13)' });
  });

  it('asks the EU host for region eu', async () => {
    const scope = nock(EU).get('/v1/workspaces').reply(200, { workspaces: [{ id: 7, name: 'Europe' }] });
    const result = await checkConnection(testConfig({ region: 'eu' }));
    expect(scope.isDone()).toBe(true);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.message).toContain('Europe (id 7)');
  });

  it('fails saying the key belongs to the EU region when the US host answers 401 and the EU host accepts it', async () => {
    nock(US).get('/v1/workspaces').reply(401, UNAUTHORIZED);
    const eu = nock(EU).get('/v1/workspaces').reply(200, WORKSPACES);
    const result = await checkConnection(testConfig({ region: 'us' }));
    expect(eu.isDone()).toBe(true);
    expect(result).toEqual({ status: 'FAILED', message: 'This App API key belongs to the EU region; set region to eu.' });
  });

  it('fails saying the key belongs to the US region the other way round', async () => {
    nock(EU).get('/v1/workspaces').reply(401, UNAUTHORIZED);
    nock(US).get('/v1/workspaces').reply(200, WORKSPACES);
    const result = await checkConnection(testConfig({ region: 'eu' }));
    expect(result.message).toBe('This App API key belongs to the US region; set region to us.');
  });

  it('tries the other region through an api_base_url with {region}', async () => {
    nock('https://proxy.example.com').get('/cio/us/v1/workspaces').reply(401, UNAUTHORIZED).get('/cio/eu/v1/workspaces').reply(200, WORKSPACES);
    const result = await checkConnection(testConfig({ api_base_url: 'https://proxy.example.com/cio/{region}/v1' }));
    expect(result.message).toMatch(/belongs to the EU region/);
  });

  it('does not try another region when api_base_url pins one host', async () => {
    nock('https://proxy.example.com').get('/v1/workspaces').reply(401, UNAUTHORIZED);
    const eu = nock(EU).get('/v1/workspaces').reply(200, WORKSPACES);
    const result = await checkConnection(testConfig({ api_base_url: 'https://proxy.example.com/v1' }));
    expect(eu.isDone()).toBe(false);
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/rejected the App API key \(401: invalid credentials\)/);
  });

  it('fails with the App API key advice when both regions answer 401', async () => {
    nock(US).get('/v1/workspaces').reply(401, UNAUTHORIZED);
    nock(EU).get('/v1/workspaces').reply(401, { meta: { error: 'Unauthorized request' } });
    const result = await checkConnection(testConfig());
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/^Customer\.io rejected the App API key \(401: invalid credentials\)\. Use an App API key from Settings → API Credentials → App API Keys \(not a Track API key\), and check the region \(region is set to us\)/);
    expect(result.message).not.toContain(API_KEY);
  });

  it('fails on a 403 explaining restricted keys and IP allowlists', async () => {
    nock(US).get('/v1/workspaces').reply(403, { errors: [{ detail: 'IP not allowed', status: '403' }] });
    const result = await checkConnection(testConfig());
    expect(result).toEqual({
      status: 'FAILED',
      message: "Customer.io refused the key (403: IP not allowed): it may be a restricted key without access to workspaces, or this machine's IP is not on the key's allowlist.",
    });
  });

  it('fails on another refusal quoting the API', async () => {
    nock(US).get('/v1/workspaces').reply(404, { errors: [{ detail: 'no such route', status: '404' }] });
    expect(await checkConnection(testConfig())).toEqual({ status: 'FAILED', message: 'Customer.io answered 404: no such route' });
  });

  it('fails naming the host it could not reach, and api_base_url when one is pinned', async () => {
    // Port 9 (discard) on the loopback interface: nothing listens, the connection is refused at once.
    const result = await checkConnection(testConfig({ api_base_url: 'http://127.0.0.1:9/v1' }));
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/^Could not reach Customer\.io at 127\.0\.0\.1:9: GET \/workspaces failed 2 times \(last: network error ECONNREFUSED/);
    expect(result.message).toMatch(/Check network access and api_base_url\.$/);
    expect(result.message).not.toContain(API_KEY);
  });

  it('fails saying the budget is taken, not that the host is unreachable, when every try is rate limited', async () => {
    const limited = { errors: [{ detail: 'rate limited to 10 requests per 1s', status: '429' }] };
    nock(US).get('/v1/workspaces').times(2).reply(429, limited, { 'Retry-After': '0' });
    const result = await checkConnection(testConfig());
    expect(result.status).toBe('FAILED');
    expect(result.message).toMatch(/kept answering 429 \(rate limited\) to GET \/workspaces, 2 times/);
    expect(result.message).not.toMatch(/Could not reach/);
  });

  it('succeeds after one retry of a 503', async () => {
    nock(US).get('/v1/workspaces').reply(503, '', { 'Retry-After': '0' }).get('/v1/workspaces').reply(200, WORKSPACES);
    expect((await checkConnection(testConfig())).status).toBe('SUCCEEDED');
  });

  it('succeeds with a plain message when the workspace list is empty or missing', async () => {
    nock(US).get('/v1/workspaces').reply(200, { workspaces: null });
    expect(await checkConnection(testConfig())).toEqual({ status: 'SUCCEEDED', message: 'Connected' });
  });
});
