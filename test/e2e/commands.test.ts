/** The CLI's commands as a platform runs them, without any API: spec, discover, and bad input. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';
import { configuredCatalog } from '../helpers/catalog.js';

const config = { app_api_key: 'e2e-secret-key-0001', api_base_url: 'http://127.0.0.1:9/v1' };

describe('spec', () => {
  it('prints exactly one SPEC message whose connectionSpecification is spec.json', async () => {
    const result = await runCli(['spec']);
    expect(result.exitCode).toBe(0);
    expect(result.messages).toHaveLength(1);
    const spec = JSON.parse(readFileSync(join(PROJECT_ROOT, 'spec.json'), 'utf8'));
    expect(result.messages[0].spec.connectionSpecification).toEqual(spec);
  });
});

describe('discover', () => {
  it('prints one CATALOG with unique stream names and a schema for each', async () => {
    const result = await runCli(['discover'], { config });
    expect(result.exitCode).toBe(0);
    const [catalog] = result.ofType('CATALOG');
    const names = catalog.catalog.streams.map((s: { name: string }) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('workspaces');
    for (const stream of catalog.catalog.streams) expect(stream.json_schema.type).toBe('object');
  });

  it('fails with a config_error naming the field when the config is invalid', async () => {
    const result = await runCli(['discover'], { config: { app_api_key: 'x', region: 'mars' } });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].failure_type).toBe('config_error');
    expect(result.errors[0].message).toMatch(/region/);
  });
});

describe('bad command lines', () => {
  it.each([
    [['frobnicate'], /Unknown command "frobnicate"/],
    [[], /No command given/],
    [['read', '--config', '/nonexistent/config.json', '--catalog', '/nonexistent/c.json'], /--config file not found/],
    [['check', '--config', '/tmp'], /is a directory/],
    [['read', '--config'], /--config/],
    [['discover', '--bogus', 'x'], /bogus/],
  ])('%j exits non-zero with one config_error trace', async (args, pattern) => {
    const result = await runCli(args as string[]);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].failure_type).toBe('config_error');
    expect(result.errors[0].message).toMatch(pattern);
  });

  it('names the unknown stream of a catalog and makes no request', async () => {
    const result = await runCli(['read'], { config, catalog: configuredCatalog(['no_such_stream']) });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].failure_type).toBe('config_error');
    expect(result.errors[0].message).toMatch(/no_such_stream/);
  });

  it('rejects a config file that is not JSON without quoting its text', async () => {
    const result = await runCli(['read'], { config: '{"app_api_key": "e2e-secret-key-0001", oops', catalog: configuredCatalog(['workspaces']) });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].message).toMatch(/not valid JSON/);
    expect(result.stdout).not.toContain('e2e-secret-key-0001');
  });

  it('rejects a state whose cursor is not a time', async () => {
    // (A state entry for a stream the read does not read is no longer refused: it is named in a WARN and left alone.)
    const result = await runCli(['read'], {
      config,
      catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }]),
      state: [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 'yesterday' } } }],
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].failure_type).toBe('config_error');
    expect(result.errors[0].message).toMatch(/"campaigns" is not usable: updated must be a unix timestamp/);
  });
});
