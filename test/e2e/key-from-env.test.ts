/**
 * The App API key from CUSTOMERIO_APP_API_KEY through the built CLI (src/key.ts): check, read and sync take it when
 * the config has none, a key in the config wins, one line says which was used, and neither key is ever printed
 * (every output goes through the suite's secret scan, with the variable's key among the secrets).
 */
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { scratchDir } from '../helpers/scratch.js';
import { runRecorded } from '../reliability/support/run.js';

const KEY = 'env-only-key-0042';
const OTHER = 'config-file-key-0043';
let sb: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 5, sizes: { campaigns: 3, customers: 10 }, rateLimit: false, keys: { [KEY]: 'us', [OTHER]: 'us' } });
  env = { CIO_TEST_CLOCK: String(sb.now()), CUSTOMERIO_APP_API_KEY: KEY };
});
afterAll(() => sb.close());

const noKey = () => ({ api_base_url: sb.url });

describe('CUSTOMERIO_APP_API_KEY', () => {
  it('lets check succeed with a config that has no key, saying where the key came from', async () => {
    const result = await runRecorded(['check'], { config: noKey() }, { env });
    expect(result.ofType('CONNECTION_STATUS')[0].connectionStatus.status).toBe('SUCCEEDED');
    expect(result.logs('INFO')).toEqual(['The App API key comes from CUSTOMERIO_APP_API_KEY (the config file has none).']);
  });

  it('reads with it', async () => {
    const result = await runRecorded(['read', '--streams', 'campaigns'], { config: noKey() }, { env });
    expect(result.exitCode).toBe(0);
    expect(result.records('campaigns').length).toBeGreaterThan(0);
  });

  it('syncs with it, saying so on stderr', async () => {
    const path = join(scratchDir('cio-env-key-'), 'customerio.duckdb');
    const result = await runRecorded(['sync', '--streams', 'campaigns', '--duckdb', path], { config: noKey() }, { env, raw: true });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('note: The App API key comes from CUSTOMERIO_APP_API_KEY (the config file has none).');
  });

  it('yields to a key in the config, and says it is not used', async () => {
    sb.resetStats();
    const result = await runRecorded(['read'], { config: { app_api_key: OTHER, api_base_url: sb.url }, catalog: configuredCatalog(['workspaces']) }, { env });
    expect(result.exitCode).toBe(0);
    expect(result.logs('INFO')[0]).toBe('The App API key comes from the config file; CUSTOMERIO_APP_API_KEY is set too and is not used: a key in the config wins.');
  });

  it('is named in the message when neither has a key', async () => {
    const result = await runRecorded(['read', '--streams', 'campaigns'], { config: noKey() }, { env: { CIO_TEST_CLOCK: String(sb.now()) } });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].message).toBe('Invalid config: "app_api_key" is required (or set CUSTOMERIO_APP_API_KEY)');
  });

  it('is redacted like the config\'s key when the API echoes it back', async () => {
    sb.setFaults([{ kind: 'echo_headers', path: '/campaigns' }]);
    try {
      const result = await runRecorded(['read', '--streams', 'campaigns'], { config: noKey() }, { env });
      expect(result.exitCode).toBe(1);
      expect(JSON.stringify(result.errors)).toContain('Bearer ****');
    } finally {
      sb.setFaults([]);
    }
  });
});
