/**
 * The image, end to end: built from the Dockerfile, then run the way a platform runs it (`docker run IMAGE
 * <command>`, config and catalog mounted as files) against the sandbox on 127.0.0.1 through host networking:
 * spec, check, discover, a read of every discovered stream, then `sync` and `query` into a mounted folder.
 *
 * It needs a container engine (see test/helpers/container.ts: CIO_CONTAINER_CLI, else docker or podman). Without
 * one it is reported as skipped, with the reason in its name and printed beside the file's result: CI has none.
 */
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { PRIVATE_NETWORK_ENV } from '../../src/engine/egress.js';
import { CliResult, PROJECT_ROOT } from '../helpers/cli.js';
import { baseImageOf, buildBase, execFile, findContainerEngine } from '../helpers/container.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { scratchDir } from '../helpers/scratch.js';

const TITLE = 'the image: built from the Dockerfile, it runs spec, check, discover, a read of every stream, sync and query';
const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
// The engine's own temporary files (the podman stand-in writes its config into TMPDIR) go to a folder removed
// after the image (hooks run in the order declared: scratchDir's folders go before the image is removed).
// BUILDAH_FORMAT: podman builds OCI images by default, which drop HEALTHCHECK; docker's own format keeps it (docker ignores the variable).
const env = { ...process.env, TMPDIR: mkdtempSync(join(tmpdir(), 'cio-image-engine-')), BUILDAH_FORMAT: 'docker' };
const search = await findContainerEngine(process.env, baseImageOf(dockerfile), (program, args, options) => execFile(program, args, { ...options, env }));

if (!search.found && 'broken' in search) {
  it(TITLE, () => {
    throw new Error(search.broken);
  });
} else if (!search.found) {
  // Straight to stderr: jest shows neither the console output nor the test names of a file whose tests are all skipped.
  process.stderr.write(`\ntest/image/image.test.ts: the image test is skipped: ${search.reason}.\n`);
  it.skip(`${TITLE} (skipped: ${search.reason})`, () => undefined);
} else {
  describeImage(search.cli);
}
// Not in an afterAll when skipped: jest runs no hook of a file whose tests are all skipped.
if (search.found) afterAll(() => rmSync(env.TMPDIR, { recursive: true, force: true }));
else rmSync(env.TMPDIR, { recursive: true, force: true });

/** A TCP port free on 127.0.0.1 now (for a container on the host's network). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function describeImage(cli: string): void {
  const ENTRYPOINT = ['node', '/airbyte/integration_code/dist/main.js'];
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
  let image = '';
  let sb: Sandbox;
  let input: string;
  let output: string;

  /** `docker run --rm --network=host -v …:/input:ro IMAGE <args>`, stdout parsed as protocol lines unless `raw`. */
  async function inImage(args: string[], options: { raw?: boolean; before?: string[] } = {}): Promise<CliResult> {
    const volumes = ['-v', `${input}:/input:ro`, '-v', `${output}:/data`];
    // The connector on the sandbox's clock (issue 21): a container does not share a moved clock (libfaketime) either.
    const clock = ['-e', `CIO_TEST_CLOCK=${sb.now()}`];
    // The sandbox is plain http on 127.0.0.1: the operator's permission, given as a platform's operator would.
    const allow = ['-e', `${PRIVATE_NETWORK_ENV}=1`];
    const run = await execFile(cli, ['run', '--rm', '--network=host', ...allow, ...volumes, ...clock, ...(options.before ?? []), image, ...args], { env, timeoutMs: 300_000 });
    const messages = options.raw ? [] : parseProtocolLines(run.stdout);
    return new CliResult(run.code, null, messages, run.stdout, run.stderr);
  }

  beforeAll(async () => {
    const iidFile = join(scratchDir('cio-image-id-'), 'iid');
    // No tag: the image is run by id (a parallel build elsewhere cannot swap it) and removed at the end.
    // The Dockerfile's pinned base, or a local image of its tag where the pinned one cannot be had (buildBase).
    const base = await buildBase(cli, baseImageOf(dockerfile), execFile, env);
    if (!base.pinned) process.stderr.write(`\ntest/image/image.test.ts: built on the local ${base.image}: the pinned ${baseImageOf(dockerfile)} cannot be pulled here.\n`);
    const baseArg = base.pinned ? [] : ['--build-arg', `NODE_IMAGE=${base.image}`];
    const build = await execFile(cli, ['build', ...baseArg, '--iidfile', iidFile, PROJECT_ROOT], { env, timeoutMs: 20 * 60_000 });
    if (build.code !== 0) throw new Error(`${cli} build failed (exit ${build.code}):\n${(build.stdout + build.stderr).slice(-3000)}`);
    image = readFileSync(iidFile, 'utf8').trim();
    // The connector runs on the sandbox's clock (inImage). A few exports, so every stream has records.
    sb = await startSandbox({
      seed: 42,
      sizes: { activities: 300, customers: 250, segmentMembers: 200, messages: 300, deliveries: 200, transactionalMessages: 3, suppressions: 20, exports: 2 },
    });
    // The image runs as user "node": what it reads must be readable by others, where it writes writable.
    input = scratchDir('cio-image-input-');
    output = scratchDir('cio-image-output-');
    chmodSync(input, 0o755);
    chmodSync(output, 0o777);
    writeFileSync(join(input, 'config.json'), JSON.stringify({ app_api_key: 'sandbox-us-key', api_base_url: sb.url }));
  }, 25 * 60_000);

  afterAll(async () => {
    await sb?.close();
    if (!image) return;
    // An image with the same content as one already built and tagged (`docker build -t source-customer-io .`) has
    // the same id: that one is the user's, and stays.
    const tags = await execFile(cli, ['image', 'inspect', '--format', '{{json .RepoTags}}', image], { env });
    if (tags.code !== 0 || (JSON.parse(tags.stdout) as string[] | null)?.length) return;
    const removed = await execFile(cli, ['rmi', image], { env });
    if (removed.code !== 0) console.warn(`The image ${image} was not removed: ${removed.stderr.trim()}`);
  });

  describe(TITLE, () => {
    it('runs as a non-root user, with the Airbyte entrypoint, AIRBYTE_ENTRYPOINT and the labels', async () => {
      const inspect = await execFile(cli, ['image', 'inspect', '--format', '{{json .Config}}', image], { env });
      expect(inspect.code).toBe(0);
      const config = JSON.parse(inspect.stdout) as { User: string; Entrypoint: string[]; Env: string[]; Labels: Record<string, string> };
      expect(config.User).toBe('node');
      expect(config.Entrypoint).toEqual(ENTRYPOINT);
      expect(config.Env).toContain(`AIRBYTE_ENTRYPOINT=${ENTRYPOINT.join(' ')}`);
      expect(config.Labels).toMatchObject({ 'io.airbyte.name': 'source-customer-io', 'io.airbyte.version': pkg.version });
    });

    it('ships dist, spec.json, the stream schemas and production dependencies only', async () => {
      const look = `const fs = require('node:fs');
        console.log(JSON.stringify({ uid: process.getuid(), top: fs.readdirSync('.'), dist: fs.readdirSync('dist'),
          src: fs.readdirSync('src', { recursive: true }), modules: fs.readdirSync('node_modules'),
          types: fs.existsSync('node_modules/@types') ? fs.readdirSync('node_modules/@types') : [] }));`;
      const result = await inImage(['-e', look], { raw: true, before: ['--entrypoint', 'node'] });
      expect(result.exitCode).toBe(0);
      const shipped = JSON.parse(result.stdout) as { uid: number; top: string[]; dist: string[]; src: string[]; modules: string[]; types: string[] };
      expect(shipped.uid).not.toBe(0);
      expect(shipped.top.sort()).toEqual(['dist', 'node_modules', 'package.json', 'spec.json', 'src']);
      expect(shipped.dist).toContain('main.js');
      expect(shipped.dist).not.toEqual(expect.arrayContaining(['sandbox']));
      expect(shipped.dist).not.toEqual(expect.arrayContaining(['bench']));
      const schemas = readdirSync(join(PROJECT_ROOT, 'src', 'customerio', 'schemas')).map((f) => `customerio/schemas/${f}`);
      expect(shipped.src.filter((p) => p.endsWith('.json')).sort()).toEqual(schemas.sort());
      expect(shipped.src.filter((p) => p.endsWith('.ts'))).toEqual([]);
      expect(shipped.modules).toContain('@duckdb');
      // Neither a dev dependency nor what only they pull in (jest's babel, tsx's esbuild).
      const shippedModules = [...shipped.modules, ...shipped.types.map((t) => `@types/${t}`)];
      const devOnly = [...Object.keys(pkg.devDependencies), '@babel', '@jest', 'esbuild'];
      expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'jest']));
      expect(devOnly.filter((name) => shippedModules.includes(name))).toEqual([]);
    });

    it('answers spec with spec.json', async () => {
      const result = await inImage(['spec']);
      expect(result.exitCode).toBe(0);
      expect(result.messages).toHaveLength(1);
      expect(result.messages[0].spec.connectionSpecification).toEqual(JSON.parse(readFileSync(join(PROJECT_ROOT, 'spec.json'), 'utf8')));
    });

    it('checks the connection to the sandbox on the host', async () => {
      const result = await inImage(['check', '--config', '/input/config.json']);
      expect(result.exitCode).toBe(0);
      expect(result.ofType('CONNECTION_STATUS').map((m) => m.connectionStatus.status)).toEqual(['SUCCEEDED']);
    });

    it('discovers the streams, then reads every one of them completely (incrementally where it can), every line valid protocol', async () => {
      const discover = await inImage(['discover', '--config', '/input/config.json']);
      expect(discover.exitCode).toBe(0);
      const streams = discover.ofType('CATALOG')[0].catalog.streams as Array<{ name: string; supported_sync_modes: string[] }>;
      expect(streams.length).toBeGreaterThan(20);
      const catalog = {
        streams: streams.map((stream) => {
          const incremental = stream.supported_sync_modes.includes('incremental');
          return { stream, sync_mode: incremental ? 'incremental' : 'full_refresh', destination_sync_mode: incremental ? 'append_dedup' : 'overwrite' };
        }),
      };
      writeFileSync(join(input, 'catalog.json'), JSON.stringify(catalog));

      const read = await inImage(['read', '--config', '/input/config.json', '--catalog', '/input/catalog.json']);
      expect(read.errors).toEqual([]);
      expect(read.exitCode).toBe(0);
      const expected = sb.expected.counts() as Record<string, number>;
      for (const { name } of streams) {
        const got = { stream: name, status: read.statuses(name).at(-1), hasRecords: read.records(name).length > 0, hasState: read.states(name).length > 0 };
        expect(got).toEqual({ stream: name, status: 'COMPLETE', hasRecords: true, hasState: true });
        if (expected[name] !== undefined) expect({ stream: name, records: read.records(name).length }).toEqual({ stream: name, records: expected[name] });
      }
    });

    it('runs the reporting-webhook receiver: port 8080, a store folder for a volume, a healthcheck with node; the sandbox posts, the image reads back', async () => {
      const inspect = await execFile(cli, ['image', 'inspect', '--format', '{{json .Config}}', image], { env });
      const config = JSON.parse(inspect.stdout) as { ExposedPorts?: Record<string, unknown>; Env: string[] };
      expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['8080/tcp']);
      expect(config.Env).toContain('CIO_WEBHOOK_STORE_DIR=/data/webhooks');
      // Asked for on its own: podman keeps it beside the OCI config, which has no such field.
      const healthcheck = await execFile(cli, ['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', image], { env });
      const probe = (JSON.parse(healthcheck.stdout) as { Test?: string[] } | null)?.Test ?? [];
      expect(probe).toEqual(['CMD', 'node', '/airbyte/integration_code/dist/webhooks/healthcheck.js']);

      // A container of another command has no receiver: the healthcheck passes there.
      const elsewhere = await inImage(probe.slice(2), { raw: true, before: ['--entrypoint', 'node'] });
      expect(elsewhere.exitCode).toBe(0);

      const port = await freePort();
      const store = scratchDir('cio-image-webhooks-');
      chmodSync(store, 0o777);
      const secrets = { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-image-test-key', CIO_WEBHOOK_READ_TOKEN: 'image-read-token-0123456789abcdef' };
      writeFileSync(join(input, 'webhooks.json'), JSON.stringify({ port }));
      const started = await execFile(
        cli,
        ['run', '-d', '--network=host', '-e', 'CIO_WEBHOOK_SIGNING_KEYS', '-e', 'CIO_WEBHOOK_READ_TOKEN', '-v', `${input}:/input:ro`, '-v', `${store}:/data/webhooks`, image, 'serve-webhooks', '--config', '/input/webhooks.json'],
        { env: { ...env, ...secrets } },
      );
      expect(started.code).toBe(0);
      const container = started.stdout.trim();
      try {
        // Healthy once the receiver answers: the image's own healthcheck command, run in the container.
        let healthy = false;
        for (let i = 0; i < 60 && !healthy; i++) {
          healthy = (await execFile(cli, ['exec', container, ...probe.slice(1)], { env })).code === 0;
          if (!healthy) await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(healthy).toBe(true);
        const sender = sb.startWebhooks({ url: `http://127.0.0.1:${port}/customerio/reporting-webhook`, signingKey: secrets.CIO_WEBHOOK_SIGNING_KEYS });
        sb.advance(6 * 3600);
        await sender.flush();
        expect(sender.delivered.length).toBeGreaterThan(0);
        writeFileSync(join(input, 'events.json'), JSON.stringify({ app_api_key: 'sandbox-us-key', api_base_url: sb.url, reporting_webhook_receivers: [`http://127.0.0.1:${port}`], reporting_webhook_read_token: secrets.CIO_WEBHOOK_READ_TOKEN }));
        writeFileSync(join(input, 'events-catalog.json'), JSON.stringify({ streams: [{ stream: { name: 'reporting_events', json_schema: {}, supported_sync_modes: ['incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' }] }));
        const read = await inImage(['read', '--config', '/input/events.json', '--catalog', '/input/events-catalog.json']);
        expect(read.errors).toEqual([]);
        expect(read.records('reporting_events').map((r) => r.event_id).sort()).toEqual([...new Set(sender.delivered)].sort());
        // The store is in the mounted folder, written by the image's user.
        expect(readdirSync(store)).toEqual(expect.arrayContaining(['store.json', 'committed']));
      } finally {
        await execFile(cli, ['stop', '-t', '10', container], { env });
        const logs = await execFile(cli, ['logs', container], { env });
        await execFile(cli, ['rm', '-f', container], { env });
        expect(logs.stdout + logs.stderr).toMatch(/listening on 0\.0\.0\.0:\d+[\s\S]*stopped/);
        expect(logs.stdout + logs.stderr).not.toMatch(/whsec-image-test-key|image-read-token/);
      }
    });

    it('syncs into a DuckDB file in a mounted folder with the native binding it ships, and queries it', async () => {
      const sync = await inImage(['sync', '--config', '/input/config.json', '--duckdb', '/data/customerio.duckdb'], { raw: true });
      expect(sync.stderr).not.toMatch(/error:/);
      expect(sync.exitCode).toBe(0);
      expect(sync.stdout).toMatch(/^Synced (\d+) of \1 streams into \/data\/customerio\.duckdb/);

      const query = await inImage(['query', '/data/customerio.duckdb', 'SELECT count(*) AS n FROM campaigns', '--json'], { raw: true });
      expect(query.exitCode).toBe(0);
      expect(JSON.parse(query.stdout)).toEqual({ n: String(sb.expected.counts().campaigns) });
    });
  });
}
