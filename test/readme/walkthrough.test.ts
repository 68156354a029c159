/**
 * The README, followed from a fresh clone: every command of its ```sh blocks is declared below with how this test
 * proves it, and the two lists must be the same (a command added to the README or changed there fails this test until
 * it is declared). Then, in a copy of the checkout as `git clone` would make it (tracked and new files; no
 * node_modules, dist, secrets, demo-output or DuckDB files), the commands run in the README's order:
 * - `npm run sandbox -- --port 8080` runs in the background first, on a free port put in place of 8080 wherever the
 *   README says 8080 (its JSON config too);
 * - the five steps run against that sandbox: step 2 (an edit, not a command) is done as a person would, pasting the
 *   sandbox's key into secrets/config.json and pointing api_base_url at it; standing in for Customer.io, those
 *   commands (and the docker ones, which use the same config) get the operator's CIO_ALLOW_PRIVATE_NETWORK=1 from
 *   here, and nothing else does: the clone's shell starts without it, as a person's does, so the sandbox section
 *   works only because the README's own `export` line gives it (proved needed before it is run);
 * - docker commands are checked, not run (no container engine in CI; test/image runs the image where there is one):
 *   their docker flags are of a known few, the image is the one the README builds, the Dockerfile's entrypoint is
 *   `node …/dist/main.js`, and the arguments after the image run as `node dist/main.js …` with each volume mapped to
 *   its folder in the clone; the receiver's `serve-webhooks` line is checked against the image and run (serve-webhooks.ts);
 * - `npm ci` is this checkout's own (node_modules is linked, no network), and `npm test` is this suite.
 * The sandbox and the connector run on one clock: the sandbox starts at the machine's time and stands still; after
 * the README moves it, the README's own CIO_TEST_CLOCK puts the connector on it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { parseDockerfile } from '../../integration_tests/lib/dockerfile.js';
import { PRIVATE_NETWORK_ENV } from '../../src/engine/egress.js';
import { PROJECT_ROOT, withoutKey } from '../helpers/cli.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { scratchDir } from '../helpers/scratch.js';
import { proveServeWebhooks } from './serve-webhooks.js';

const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const IMAGE = 'source-customer-io';

/** Every command of the README's ```sh blocks: continuation lines joined, comments after two spaces dropped. */
export function readmeCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^ *```sh\n([\s\S]*?)^ *```/gm)].map((m) => m[1]);
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s{2,}#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Context {
  clone: string;
  port: number;
  /** The clone's shell: no API key, no permission for private networks (the jest run's global setup gives one). */
  env: NodeJS.ProcessEnv;
  /** What the README's `export` lines have put in that shell so far. */
  exported: Record<string, string>;
}

/**
 * For the commands the README runs against Customer.io (the five steps, the docker lines), which run here against the
 * sandbox, plain http on 127.0.0.1: the operator's permission a person pointing them at Customer.io does not need.
 */
const STAND_IN = { [PRIVATE_NETWORK_ENV]: '1' };

type Proof =
  /** Run in the clone (through bash, as typed), `as` in place of the command when given; `check` looks at what it did. */
  | { kind: 'run'; as?: string; env?: Record<string, string>; check: (ran: Ran, context: Context) => void; then?: (context: Context) => void }
  /** The sandbox: started before anything else, stopped after everything. */
  | { kind: 'background' }
  /** A docker command: checked against the Dockerfile and the CLI (see the file's comment). */
  | { kind: 'docker'; check?: (ran: Ran, context: Context) => void }
  /** A docker command that starts a server: proved by its own function. */
  | { kind: 'docker-server'; prove: (command: string, context: Context) => Promise<void> }
  /** `export NAME=value`: set for every later command, as the shell does; `before` shows what it is needed for. */
  | { kind: 'export'; before?: (context: Context) => Promise<void> }
  /** Proved by something else, said here. */
  | { kind: 'elsewhere'; why: string };

const ok = (ran: Ran) => expect({ code: ran.code, stderr: ran.code === 0 ? '' : ran.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
const messagesOf = (ran: Ran) => parseProtocolLines(ran.stdout) as Array<Record<string, any>>;
const noClockWarnings = (ran: Ran) => expect(ran.stderr).not.toMatch(/clock/);

/** The README's commands, each with how it is proved; in the README's order. */
const DECLARED: Array<[string, Proof]> = [
  [
    'npm ci && npm run demo',
    {
      kind: 'run',
      // npm ci is how this checkout got the node_modules the clone links to.
      as: 'npm run demo',
      env: { DEMO_SIZES: JSON.stringify({ activities: 200, customers: 150, segmentMembers: 100, messages: 200, deliveries: 150, transactionalMessages: 2, suppressions: 10 }), DEMO_ADVANCE_HOURS: '3' },
      check: (ran, { clone }) => {
        ok(ran);
        for (const file of ['read-1.jsonl', 'read-2.jsonl', 'sync-2.txt', 'customerio.duckdb']) expect(existsSync(join(clone, 'demo-output', file))).toBe(true);
      },
    },
  ],
  ['npm test', { kind: 'elsewhere', why: 'this test suite is npm test' }],
  [
    'mkdir -p secrets && cp secrets.example secrets/config.json',
    {
      kind: 'run',
      check: (ran, { clone }) => {
        ok(ran);
        const example = JSON.parse(readFileSync(join(clone, 'secrets/config.json'), 'utf8')) as Record<string, unknown>;
        // What step 2 says of it: a key to paste (or a line to delete), and no start_date that would make runs warn.
        expect(example.app_api_key).toMatch(/paste your App API key/);
        expect(example.start_date).toBeUndefined();
      },
      // Step 2, as a person does it: the key pasted in (and, not being Customer.io, the sandbox's URL).
      then: ({ clone, port }) => {
        const path = join(clone, 'secrets/config.json');
        const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
        writeFileSync(path, JSON.stringify({ ...config, app_api_key: 'sandbox-us-key', api_base_url: `http://127.0.0.1:${port}/v1` }, null, 2));
      },
    },
  ],
  [
    'npm run build && node dist/main.js check --config secrets/config.json',
    // npm's own lines come first on stdout: the connector's is the last.
    { kind: 'run', env: STAND_IN, check: (ran) => expect(JSON.parse(ran.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }) },
  ],
  [
    'node dist/main.js sync --config secrets/config.json --streams campaigns,customers,messages',
    {
      kind: 'run',
      env: STAND_IN,
      check: (ran) => {
        ok(ran);
        expect(ran.stdout).toMatch(/^Synced 3 of 3 streams into \S+customerio\.duckdb/);
        noClockWarnings(ran);
      },
    },
  ],
  [
    'node dist/main.js query customerio.duckdb "SELECT count(*) FROM customers"',
    {
      kind: 'run',
      check: (ran) => {
        ok(ran);
        expect(ran.stdout).toMatch(/count_star\(\)\n-+\n +\d+\n\(1 row\)\n$/);
      },
    },
  ],
  ['npm run sandbox -- --port 8080', { kind: 'background' }],
  [
    `export ${PRIVATE_NETWORK_ENV}=1`,
    {
      kind: 'export',
      // Without it, the next line fails as the README says: the connector sends no key to plain http on 127.0.0.1.
      before: async (context) => {
        const ran = await bash('node dist/main.js check --config secrets/sandbox.json', context);
        expect(JSON.parse(ran.stdout.trim())).toMatchObject({
          type: 'CONNECTION_STATUS',
          connectionStatus: { status: 'FAILED', message: expect.stringContaining(`${PRIVATE_NETWORK_ENV}=1 where the connector runs`) },
        });
      },
    },
  ],
  ['node dist/main.js check --config secrets/sandbox.json', { kind: 'run', check: (ran) => expect(ran.stdout).toContain('"status":"SUCCEEDED"') }],
  [
    'node dist/main.js sync --config secrets/sandbox.json --streams campaigns,customers,messages --duckdb sandbox.duckdb',
    {
      kind: 'run',
      check: (ran) => {
        ok(ran);
        expect(ran.stdout).toMatch(/^Synced 3 of 3 streams into \S+sandbox\.duckdb/);
      },
    },
  ],
  [
    'node dist/main.js query sandbox.duckdb "SELECT type, count(*) FROM messages GROUP BY type ORDER BY 2 DESC"',
    {
      kind: 'run',
      check: (ran) => {
        ok(ran);
        expect(ran.stdout).toMatch(/^type +count_star\(\)\n/);
      },
    },
  ],
  [
    "curl -s -X POST 'http://127.0.0.1:8080/__sandbox/advance?seconds=86400'",
    {
      kind: 'run',
      check: (ran) => {
        ok(ran);
        expect(JSON.parse(ran.stdout)).toMatchObject({ ok: true, now: expect.any(Number) });
      },
    },
  ],
  [
    'CIO_TEST_CLOCK=$(curl -s http://127.0.0.1:8080/__sandbox/now) node dist/main.js sync --config secrets/sandbox.json --streams campaigns,customers,messages --duckdb sandbox.duckdb',
    {
      kind: 'run',
      check: (ran) => {
        ok(ran);
        // A day later: messages gained rows; and on the sandbox's clock, nothing is said of clocks.
        expect(ran.stdout).toMatch(/\nmessages +upsert +[\d,]+ +[1-9][\d,]* /);
        noClockWarnings(ran);
      },
    },
  ],
  ['docker build -t source-customer-io .', { kind: 'docker' }],
  ['docker run --rm -v "$PWD/secrets:/secrets" source-customer-io check --config /secrets/config.json', { kind: 'docker', check: (ran) => expect(ran.stdout).toContain('"status":"SUCCEEDED"') }],
  [
    'docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/data" source-customer-io sync --config /data/secrets/config.json --streams campaigns,customers,messages --duckdb /data/customerio.duckdb',
    { kind: 'docker', check: (ran) => expect(ran.stdout).toMatch(/^Synced 3 of 3 streams/) },
  ],
  ['docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/data" source-customer-io query /data/customerio.duckdb "SELECT count(*) FROM customers"', { kind: 'docker', check: (ran) => expect(ran.stdout).toMatch(/\(1 row\)/) }],
  ['docker run --rm source-customer-io spec', { kind: 'docker', check: (ran) => expect(messagesOf(ran).map((m) => m.type)).toEqual(['SPEC']) }],
  ['docker run --rm -v "$PWD/secrets:/secrets" source-customer-io discover --config /secrets/config.json', { kind: 'docker', check: (ran) => expect(messagesOf(ran).map((m) => m.type)).toEqual(['CATALOG']) }],
  [
    'docker run --rm -v "$PWD/secrets:/secrets" -v "$PWD/catalog:/catalog" source-customer-io read --config /secrets/config.json --catalog /catalog/configured_catalog_incremental.json > secrets/read-1.jsonl',
    {
      kind: 'docker',
      check: (_ran, { clone }) => {
        const printed = parseProtocolLines(readFileSync(join(clone, 'secrets/read-1.jsonl'), 'utf8')) as Array<Record<string, any>>;
        expect(printed.filter((m) => m.type === 'STATE').length).toBeGreaterThan(10);
        expect(printed.filter((m) => m.trace?.type === 'ERROR')).toEqual([]);
      },
    },
  ],
  [
    'docker run --rm -v "$PWD/secrets:/secrets" -v "$PWD/catalog:/catalog" source-customer-io read --config /secrets/config.json --catalog /catalog/configured_catalog_incremental.json --state /secrets/read-1.jsonl',
    {
      kind: 'docker',
      check: (ran) => {
        const messages = messagesOf(ran);
        // The STATE lines of the read before are taken as they are, each stream's last.
        expect(messages.find((m) => m.type === 'LOG')?.log.message).toMatch(/holds \d+ JSON lines: the last STATE of each of its \d+ streams is used/);
        expect(messages.filter((m) => m.trace?.type === 'ERROR')).toEqual([]);
      },
    },
  ],
  [
    'docker run -d --name cio-webhooks -p 8080:8080 -v cio-webhooks:/data/webhooks -e CIO_WEBHOOK_SIGNING_KEYS -e CIO_WEBHOOK_READ_TOKEN source-customer-io serve-webhooks',
    {
      kind: 'docker-server',
      prove: (command, context) =>
        proveServeWebhooks(command, README, { clone: context.clone, env: context.env, run: (script, env) => bash(script, context, env) }),
    },
  ],
];

/** The anchors GitHub gives a markdown file's headings: lower case, punctuation but `-` and `_` dropped, spaces `-`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const outsideCode = markdown.replace(/^ *```[\s\S]*?^ *```/gm, '');
  for (const [, heading] of outsideCode.matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const slug = heading.toLowerCase().replace(/[^\p{L}\p{N}\p{M}_ -]/gu, '').replace(/ /g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return anchors;
}

function withoutPrivateNetwork(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [PRIVATE_NETWORK_ENV]: _allowed, ...rest } = env;
  return rest;
}

/** A copy of the checkout as a clone has it: tracked and new files only; node_modules linked, not installed. */
function freshClone(): string {
  const clone = join(scratchDir('cio-readme-'), 'source-customer-io');
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    // Not a git checkout (an unpacked archive): everything but what .gitignore names.
    files = execFileSync('find', ['.', '-type', 'f', '-not', '-path', './node_modules/*', '-not', '-path', './dist/*', '-not', '-path', './secrets/*', '-not', '-path', './demo-output/*', '-not', '-path', './.git/*', '-not', '-name', '*.duckdb*'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  }
  for (const file of files) {
    if (!existsSync(join(PROJECT_ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(clone, file));
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  return clone;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `command` in the clone's shell (with what the README exported), or, `inShell` false, in a container's place (without). */
function bash(command: string, context: Context, env: Record<string, string> = {}, inShell = true): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: context.clone, env: { ...context.env, ...(inShell ? context.exported : {}), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The sandbox as the README starts it, once its ready line is out. */
function startBackground(command: string, context: Context): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Its own process group: npm starts tsx, which starts node; the group is stopped whole.
    const child = spawn('bash', ['-c', command], { cwd: context.clone, env: context.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (/^\{"ready":true/m.test(out)) resolve(child);
    });
    child.on('close', (code) => reject(new Error(`the sandbox stopped (${code}) before it was ready: ${out}`)));
  });
}

/**
 * The arguments after the image, run by the image's entrypoint here: `node dist/main.js …`, volumes mapped; its
 * environment is the container's: what `-e NAME` passes from the shell, and the stand-in's permission (STAND_IN).
 */
function dockerAsNode(command: string, context: Context): { script: string; env: Record<string, string> } {
  const [, options, args] = /^docker run (.*?) ?source-customer-io (.*)$/.exec(command) ?? [];
  expect({ command, parsed: args !== undefined }).toEqual({ command, parsed: true });
  // Only docker flags this README means to use, each well formed.
  expect(options.replace(/(^| )(--rm|--user "\$\(id -u\):\$\(id -g\)"|-v "\$PWD(\/[\w.-]+)*:\/[\w.-]+"|-e [A-Z_]+)(?= |$)/g, '').trim()).toBe('');
  let mapped = args;
  for (const [, host, target] of options.matchAll(/-v "\$PWD((?:\/[\w.-]+)*):(\/[\w.-]+)"/g)) {
    mapped = mapped.replace(new RegExp(`(^| )${target}(?=/| |$)`, 'g'), `$1${join(context.clone, host)}`);
  }
  const shell: NodeJS.ProcessEnv = { ...context.env, ...context.exported };
  const passed = [...options.matchAll(/(?:^| )-e ([A-Z_]+)(?= |$)/g)].flatMap(([, name]) => (shell[name] === undefined ? [] : [[name, shell[name]!]]));
  return { script: `node dist/main.js ${mapped}`, env: { ...STAND_IN, ...Object.fromEntries(passed) } };
}

function proveDockerBuild(command: string, context: Context): void {
  expect(command).toBe(`docker build -t ${IMAGE} .`);
  const facts = parseDockerfile(readFileSync(join(context.clone, 'Dockerfile'), 'utf8'));
  expect(facts.entrypoint?.[0]).toBe('node');
  expect(facts.entrypoint?.[1]).toMatch(/\/dist\/main\.js$/);
}

/** Puts a small `curl` (the two uses the README has) on PATH when the machine has none. */
function curlOnPath(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const found = (env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, 'curl')));
  if (found) return env;
  const bin = scratchDir('cio-readme-bin-');
  writeFileSync(
    join(bin, 'curl'),
    `#!${process.execPath}\nconst args = process.argv.slice(2); const method = args.includes('-X') ? args[args.indexOf('-X') + 1] : 'GET';\nconst url = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-X').pop();\nfetch(url, { method }).then(async (r) => process.stdout.write(await r.text()));\n`,
  );
  chmodSync(join(bin, 'curl'), 0o755);
  return { ...env, PATH: `${bin}:${env.PATH ?? ''}` };
}

describe('the README', () => {
  it('declares every command of its sh blocks here, and nothing else', () => {
    expect(readmeCommands(README)).toEqual(DECLARED.map(([command]) => command));
  });

  it('gives the sandbox config as JSON that matches the sandbox command\'s port', () => {
    const blocks = [...README.matchAll(/^```json\n([\s\S]*?)^```/gm)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);
    expect(blocks).toEqual([{ app_api_key: 'sandbox-us-key', api_base_url: 'http://127.0.0.1:8080/v1' }]);
  });

  it('links only to files that exist, and docs/ only from where it is linked', () => {
    const pages = ['README.md', ...readdirSync(join(PROJECT_ROOT, 'docs')).map((f) => `docs/${f}`)];
    const linked = new Set<string>();
    for (const page of pages) {
      const text = readFileSync(join(PROJECT_ROOT, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const file = join(dirname(join(PROJECT_ROOT, page)), target);
        expect({ page, target, exists: existsSync(file) }).toEqual({ page, target, exists: true });
        linked.add(relative(PROJECT_ROOT, file));
      }
    }
    // Every page of docs/ is reachable from the README.
    for (const page of pages.slice(1)) expect({ page, linked: linked.has(page) }).toEqual({ page, linked: true });
  });

  it('links only to headings that exist (GitHub\'s anchors), in its own page and in others', () => {
    const pages = ['README.md', ...readdirSync(join(PROJECT_ROOT, 'docs')).map((f) => `docs/${f}`)];
    for (const page of pages) {
      const text = readFileSync(join(PROJECT_ROOT, page), 'utf8');
      for (const [, target, anchor] of text.matchAll(/\]\(([^)#\s]*)#([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const file = target === '' ? join(PROJECT_ROOT, page) : join(dirname(join(PROJECT_ROOT, page)), target);
        expect({ page, link: `${target}#${anchor}`, exists: anchorsOf(readFileSync(file, 'utf8')).has(anchor) }).toEqual({ page, link: `${target}#${anchor}`, exists: true });
      }
    }
  });

  it('works from a fresh clone, every command in order', async () => {
    const port = await freePort();
    const context: Context = {
      clone: freshClone(),
      port,
      // A person's shell: no key, and no permission for private networks (jest's global setup gives one to every test).
      env: curlOnPath({ ...withoutPrivateNetwork(withoutKey(process.env)), NODE_OPTIONS: '' }),
      exported: {},
    };
    const here = (text: string) => text.replaceAll('8080', String(port));
    const sandbox = DECLARED.find(([, proof]) => proof.kind === 'background')!;
    const background = await startBackground(here(sandbox[0]), context);
    try {
      const [json] = [...README.matchAll(/^```json\n([\s\S]*?)^```/gm)].map((m) => m[1]);
      mkdirSync(join(context.clone, 'secrets'), { recursive: true });
      writeFileSync(join(context.clone, 'secrets/sandbox.json'), here(json));
      for (const [command, proof] of DECLARED) {
        if (proof.kind === 'elsewhere' || proof.kind === 'background') continue;
        if (proof.kind === 'docker' && command.startsWith('docker build')) {
          proveDockerBuild(command, context);
          continue;
        }
        if (proof.kind === 'docker-server') {
          await proof.prove(command, context);
          continue;
        }
        if (proof.kind === 'export') {
          const [, name, value] = /^export ([A-Z_]+)=(\S+)$/.exec(command) ?? [];
          expect({ command, parsed: name !== undefined }).toEqual({ command, parsed: true });
          await proof.before?.(context);
          context.exported[name] = value;
          continue;
        }
        let ran: Ran;
        if (proof.kind === 'docker') {
          const { script, env } = dockerAsNode(here(command), context);
          ran = await bash(script, context, env, false);
        } else ran = await bash(here(proof.as ?? command), context, proof.env);
        try {
          if (proof.kind === 'docker') ok(ran);
          proof.check?.(ran, context);
        } catch (error) {
          throw new Error(`README command failed its check: ${command}\n${(error as Error).message}\nstdout: ${ran.stdout.slice(-1500)}\nstderr: ${ran.stderr.slice(-1500)}`);
        }
        if (proof.kind === 'run') proof.then?.(context);
      }
    } finally {
      if (background.pid) process.kill(-background.pid, 'SIGTERM');
    }
  }, 600_000);
});
