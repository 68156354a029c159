/** `sync` through the built CLI, as a user runs it: people's output, the key kept secret, the protocol commands untouched. */
import type { Sandbox } from '../../src/sandbox/index.js';
import { existsSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { catalogOf, configFor, inFile, sandboxClockEnv, startSmallSandbox, tempDuckdb } from './fixtures.js';

const KEY = 'sandbox-secret-key-7731';

let sb: Sandbox;
beforeEach(async () => {
  sb = await startSmallSandbox({ keys: { [KEY]: 'us' } });
});
afterEach(async () => {
  await sb.close();
});

it('prints the summary on stdout and progress on stderr, and never the API key, even when the API echoes it back', async () => {
  const path = tempDuckdb();
  // The API answers one stream with the request headers in its error body, bearer key included.
  sb.setFaults([{ path: '/v1/sender_identities', kind: 'echo_headers', status: 400 }]);
  const result = await runCli(['sync', '--duckdb', path], { config: configFor(sb, { app_api_key: KEY }), catalog: catalogOf({ sender_identities: 'full_refresh', campaigns: 'incremental' }) }, { raw: true, env: sandboxClockEnv(sb) });
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toMatch(/^Synced with failures 1 of 2 streams/);
  expect(result.stdout).toMatch(/sender_identities +replace .* FAILED \(table kept\)/);
  // The query hint is the command line that ran, with `query`: pasted as it is, it runs.
  expect(result.stdout).toMatch(/\n {2}node dist\/main\.js query \S+\.duckdb 'SELECT .* FROM campaigns ORDER BY _extracted_at DESC LIMIT 10'\n/);
  expect(result.stderr).toMatch(/✓ campaigns: \d+ records/);
  expect(result.stderr).toMatch(/✗ sender_identities: failed/);
  // The echoed headers did reach the messages: redacted there.
  expect(result.stdout + result.stderr).toContain('****');
  expect(result.stdout + result.stderr).not.toContain(KEY);
  await inFile(path, async (w) => expect(await w.count('campaigns')).toBe(sb.expected.counts().campaigns));
});

it('exits 1 with one human line on stderr and nothing on stdout when the config file is missing', async () => {
  const result = await runCli(['sync', '--config', '/nonexistent/config.json'], {}, { raw: true });
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe('error: --config file not found: /nonexistent/config.json\n');
});

it('leaves the protocol commands as they were: read still refuses sync options', async () => {
  const result = await runCli(['read', '--duckdb', 'x.duckdb'], { config: configFor(sb), catalog: catalogOf({ campaigns: 'incremental' }) }, { env: sandboxClockEnv(sb) });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatchObject({ failure_type: 'config_error' });
  expect(result.errors[0].message).toMatch(/Unknown option '--duckdb'/);
});

it('refuses a --catalog whose cursor_field is not the stream\'s own cursor with read\'s one-line config_error, before opening the file or asking the API', async () => {
  const path = tempDuckdb();
  const catalog = catalogOf({ campaigns: 'incremental', sender_identities: 'full_refresh' });
  (catalog.streams[0] as Record<string, unknown>).cursor_field = ['created'];
  sb.resetStats();
  const synced = await runCli(['sync', '--duckdb', path], { config: configFor(sb), catalog }, { raw: true, env: sandboxClockEnv(sb) });
  const read = await runCli(['read'], { config: configFor(sb), catalog }, { env: sandboxClockEnv(sb) });
  expect(read.errors).toHaveLength(1);
  expect(read.errors[0].failure_type).toBe('config_error');
  expect(read.errors[0].message).toBe(
    'Stream "campaigns" is read incrementally by its own cursor ["updated"]; the catalog asks for cursor_field ["created"]. Set cursor_field to ["updated"] or leave it out.',
  );
  expect(synced.exitCode).toBe(1);
  expect(synced.stdout).toBe('');
  expect(synced.stderr).toBe(`error: ${read.errors[0].message}\n`);
  expect(existsSync(path)).toBe(false);
  expect(sb.stats().peakPerSecond).toBe(0);
});
