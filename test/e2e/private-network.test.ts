/**
 * Issue 26.2: the App API key goes only to an https public host unless the operator allows a private network
 * (CIO_ALLOW_PRIVATE_NETWORK=1 in the connector's environment, never a config field). The shared helper runCli
 * gives that permission by default, since every test's API is local; here it is taken away, and the sandbox on
 * 127.0.0.1 must then receive nothing at all, whichever command runs.
 */
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { PRIVATE_NETWORK_ENV } from '../../src/engine/egress.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

let sb: Sandbox;
beforeAll(async () => {
  // On the machine's clock, as the connector's (issue 21's one clock): nothing here is dated, but the runners check.
  sb = await startSandbox({ seed: 26, sizes: { activities: 20, customers: 20 }, rateLimit: false, realClock: true });
});
afterAll(() => sb.close());
beforeEach(() => sb.resetStats());

const NOT_ALLOWED = { env: { [PRIVATE_NETWORK_ENV]: '' } };
const config = () => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url });
const WHY = /^"api_base_url" http:\/\/127\.0\.0\.1:\d+\/v1 is refused: it is plain http, which would send the key unencrypted, and the App API key is sent to it\. .*CIO_ALLOW_PRIVATE_NETWORK=1 where the connector runs; a connection's config cannot\.$/;

describe('without the operator\'s permission, the sandbox on 127.0.0.1 is refused', () => {
  it('check: CONNECTION_STATUS FAILED saying why and how to allow it, and no request reached the sandbox', async () => {
    const result = await runCli(['check'], { config: config() }, NOT_ALLOWED);
    expect(result.exitCode).toBe(0);
    const [status] = result.ofType('CONNECTION_STATUS');
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(WHY);
    expect(sb.stats().total).toBe(0);
  });

  it.each([['discover'], ['read']])('%s: one TRACE ERROR config_error, exit 1, no request', async (command) => {
    const result = await runCli([command], { config: config(), catalog: command === 'read' ? configuredCatalog(['campaigns']) : undefined }, NOT_ALLOWED);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].failure_type).toBe('config_error');
    expect(result.errors[0].message).toMatch(WHY);
    expect(result.records()).toEqual([]);
    expect(sb.stats().total).toBe(0);
  });

  it('sync: one error line on stderr, exit 1, no request', async () => {
    const duckdb = join(scratchDir('cio-private-'), 'sync.duckdb');
    const result = await runCli(['sync', '--duckdb', duckdb], { config: config(), catalog: configuredCatalog(['campaigns']) }, { ...NOT_ALLOWED, raw: true });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: "api_base_url" http:\/\/127\.0\.0\.1:\d+\/v1 is refused/);
    expect(sb.stats().total).toBe(0);
  });

  it('a "localhost" name over https is refused as well (no DNS needed to know it)', async () => {
    const result = await runCli(['read'], { config: { ...config(), api_base_url: `https://localhost:${sb.port}/v1` }, catalog: configuredCatalog(['campaigns']) }, NOT_ALLOWED);
    expect(result.errors[0].message).toMatch(/its host localhost is a loopback name/);
    expect(sb.stats().total).toBe(0);
  });
});

describe('with the permission (what runCli gives every test by default)', () => {
  it('check and read reach the sandbox', async () => {
    const check = await runCli(['check'], { config: config() });
    expect(check.ofType('CONNECTION_STATUS')[0].connectionStatus.status).toBe('SUCCEEDED');
    const read = await runCli(['read'], { config: config(), catalog: configuredCatalog(['campaigns']) });
    expect(read.exitCode).toBe(0);
    expect(read.records('campaigns').length).toBeGreaterThan(0);
    expect(sb.stats().total).toBeGreaterThan(1);
  });
});
