/**
 * The README's `docker run … serve-webhooks` line, proved without a container engine: its flags against the image
 * (the port the receiver listens on, the folder its store lives in, the two secrets it needs), then the command after
 * the image run as the entrypoint runs it, `node dist/main.js serve-webhooks`: a signed event posted to the path the
 * README tells to register is stored, and the connector, configured as the README says, reads it as reporting_events.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../../integration_tests/lib/dockerfile.js';
import { DEFAULTS } from '../../src/webhooks/config.js';
import { signatureOf } from '../../src/webhooks/signature.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { scratchDir } from '../helpers/scratch.js';
import { event, send } from '../webhooks/helpers.js';

/** What the test needs of the walk-through: the clone, its shell's environment, and a way to run a command in it. */
export interface ReceiverContext {
  clone: string;
  env: NodeJS.ProcessEnv;
  run: (command: string, env: Record<string, string>) => Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const SECRETS = { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-readme-signing-key', CIO_WEBHOOK_READ_TOKEN: 'readme-read-token-0123456789abcdef' };

/** The flags of `docker run FLAGS IMAGE serve-webhooks`, each of the kinds the README uses. */
function flagsOf(options: string) {
  const published = [...options.matchAll(/(?:^| )-p (\d+):(\d+)(?= |$)/g)].map((m) => ({ host: Number(m[1]), container: Number(m[2]) }));
  const volumes = [...options.matchAll(/(?:^| )-v ([a-z][\w.-]*):(\/[\w./-]+)(?= |$)/g)].map((m) => ({ name: m[1], target: m[2] }));
  const passed = [...options.matchAll(/(?:^| )-e ([A-Z_]+)(?= |$)/g)].map((m) => m[1]);
  const rest = options.replace(/(^| )(-d|--name [\w.-]+|-p \d+:\d+|-v [a-z][\w.-]*:\/[\w./-]+|-e [A-Z_]+)(?= |$)/g, '').trim();
  return { published, volumes, passed, rest };
}

export async function proveServeWebhooks(command: string, readme: string, context: ReceiverContext): Promise<void> {
  const [, options = '', args] = /^docker run (.*?) ?source-customer-io (.*)$/.exec(command) ?? [];
  expect(args).toBe('serve-webhooks');
  const flags = flagsOf(options);
  const image = parseDockerfile(readFileSync(join(context.clone, 'Dockerfile'), 'utf8'));
  // The receiver listens on every address of the container (so -p reaches it) at the port -p publishes…
  expect({ host: DEFAULTS.host, published: flags.published.map((p) => p.container) }).toEqual({ host: '0.0.0.0', published: [DEFAULTS.port] });
  // …keeps its store where the named volume is mounted (the image's CIO_WEBHOOK_STORE_DIR), so it outlives the container…
  expect(flags.volumes.map((v) => v.target)).toEqual([image.env.CIO_WEBHOOK_STORE_DIR]);
  // …and takes its two secrets from the environment, passed by name (never on the command line), and nothing else.
  expect({ passed: [...flags.passed].sort(), rest: flags.rest }).toEqual({ passed: Object.keys(SECRETS).sort(), rest: '' });
  // The path the README tells to register is the receiver's.
  expect(readme).toContain(`https://<your host>${DEFAULTS.path}`);

  // Run as the entrypoint would: the volume a folder, the secrets from the environment. A container has a network of
  // its own and this machine does not: here the receiver listens on a free loopback port instead of 0.0.0.0:8080.
  const settings = join(scratchDir('cio-readme-receiver-'), 'webhooks.json');
  writeFileSync(settings, JSON.stringify({ host: '127.0.0.1', port: 0 }));
  const store = scratchDir('cio-readme-volume-');
  const receiver = spawn(process.execPath, ['dist/main.js', 'serve-webhooks', '--config', settings], {
    cwd: context.clone,
    env: { ...context.env, ...SECRETS, CIO_WEBHOOK_STORE_DIR: store },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  receiver.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => receiver.on('close', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      receiver.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        const port = /listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1];
        if (port) resolve(`http://127.0.0.1:${port}`);
      });
      void exited.then((code) => reject(new Error(`serve-webhooks exited (${code}) before listening: ${out}${stderr}`)));
    });
    const sent = event('email', 'opened');
    const body = JSON.stringify(sent);
    const timestamp = '1700000000';
    const posted = await send(`${url}${DEFAULTS.path}`, {
      headers: { 'content-type': 'application/json', 'x-cio-timestamp': timestamp, 'x-cio-signature': signatureOf(SECRETS.CIO_WEBHOOK_SIGNING_KEYS, timestamp, body) },
      body,
    });
    expect(posted.status).toBe(200);

    // The connector as the README configures it: the receiver's URL and its read token; no App API request is made.
    const config = join(context.clone, 'secrets/webhooks-reader.json');
    writeFileSync(config, JSON.stringify({ app_api_key: 'unused-for-this-stream', reporting_webhook_receivers: [url], reporting_webhook_read_token: SECRETS.CIO_WEBHOOK_READ_TOKEN }));
    const read = await context.run(`node dist/main.js read --config ${config} --streams reporting_events`, {});
    const records = (parseProtocolLines(read.stdout) as Array<Record<string, any>>).filter((m) => m.type === 'RECORD').map((m) => m.record);
    expect({ code: read.code, records: records.map((r) => [r.stream, r.data.event_id, r.data.metric]) }).toEqual({ code: 0, records: [['reporting_events', sent.event_id, 'opened']] });
  } finally {
    receiver.kill('SIGTERM');
  }
  // It stops cleanly on the signal docker stop sends.
  expect({ code: await exited, stderr: stderr.replace(/^serve-webhooks: (?!error).*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
}
