/**
 * SIGTERM during `check` and `discover`, as a platform cancelling them sends it: the same ending as a cancelled
 * read (test/reliability/sigterm.test.ts) — one TRACE ERROR `transient_error` naming the signal, exit 143 at
 * once, and only whole protocol lines on stdout. A check is cancelled while Customer.io (the sandbox, slowed
 * down) has not answered; discover asks Customer.io nothing, so what it is cancelled in is the write of a
 * catalog larger than the pipe holds, while the platform has not read it yet.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { assertOneClock, sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { CLI, PROJECT_ROOT, writeInputs, type Message } from '../helpers/cli.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { keepOutput, secretsOf } from './support/outputs.js';
import { errorsOf, runRecorded } from './support/run.js';

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ seed: 5, sizes: { activities: 10, customers: 10 }, rateLimit: false });
});
afterAll(() => sb.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SIGTERM during check', () => {
  it('while Customer.io has not answered: one transient_error TRACE ERROR, no CONNECTION_STATUS, exit 143 at once', async () => {
    // Longer than the check's own 15 s timeout: without the signal it would end FAILED after half a minute.
    sb.setLatency(30_000);
    sb.resetStats();
    let signalledAt = 0;
    let watch: NodeJS.Timeout | undefined;
    try {
      const result = await runRecorded(['check'], { config: { app_api_key: 'sandbox-us-key', api_base_url: sb.url } }, {
        env: sandboxClockEnv(sb),
        onSpawn: (child) => {
          // Once the request has reached the sandbox, the check is waiting for its answer.
          watch = setInterval(() => {
            if (signalledAt || sb.stats().peakPerSecond === 0) return;
            signalledAt = Date.now();
            child.kill('SIGTERM');
          }, 50);
        },
      });
      const exitMs = Date.now() - signalledAt;
      expect(signalledAt).toBeGreaterThan(0);
      expect(result.signal).toBeNull();
      expect(result.exitCode).toBe(143);
      expect(exitMs).toBeLessThan(5_000);
      expect(result.stdout.endsWith('\n')).toBe(true);
      expect(result.messages.map((m) => m.type)).toEqual(['TRACE']);
      expect(result.errors).toEqual([{ message: 'The check was stopped by a termination signal; run it again.', failure_type: 'transient_error' }]);
      expect(sb.stats().total).toBe(0); // nothing was answered: the signal came mid-request
    } finally {
      clearInterval(watch);
      sb.setLatency(0);
    }
  });
});

describe('SIGTERM during discover', () => {
  /** Custom streams make the catalog several times larger than a pipe (64 KiB) and the reader's buffer together. */
  const config = () => ({
    app_api_key: 'sandbox-us-key',
    api_base_url: sb.url,
    custom_streams: Array.from({ length: 1500 }, (_, i) => ({ name: `custom_${i}`, path: `/things/${i}`, records_path: '$.things[*]', primary_key: ['id'], paginated: false })),
  });

  it('while the catalog is still being written: the CATALOG line ends whole, then one transient_error TRACE ERROR, exit 143', async () => {
    sb.setLatency(30_000);
    sb.resetStats();
    const files = { config: config() };
    // Spawned here, not by runCli (the test reads stdout itself): the same one-clock check first.
    const env = { ...process.env, NODE_OPTIONS: '', ...sandboxClockEnv(sb) };
    assertOneClock(files.config, env);
    const child = spawn(process.execPath, [CLI, 'discover', ...writeInputs(files)], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      // The first bytes are the start of the catalog: the handler is in place and the write is under way. Nothing
      // more is read until after the signal, so the pipe fills and the rest of the catalog waits in the process.
      await once(child.stdout, 'readable');
      child.kill('SIGTERM');
      await sleep(500);
      // Still there: it waits to hand over the rest of its catalog instead of dying half-way through a line.
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();

      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      const [code, signal] = await exited;
      if (!child.stdout.readableEnded) await once(child.stdout, 'end');
      const stdout = Buffer.concat(chunks).toString('utf8');
      keepOutput('discover SIGTERM (stdout)', stdout, secretsOf(files.config));
      keepOutput('discover SIGTERM (stderr)', stderr, secretsOf(files.config));

      expect({ code, signal }).toEqual({ code: 143, signal: null });
      expect(stdout.length).toBeGreaterThan(256 * 1024);
      expect(stdout.endsWith('\n')).toBe(true);
      const messages = parseProtocolLines(stdout) as Message[]; // every line whole and valid
      expect(messages.map((m) => m.type)).toEqual(['CATALOG', 'TRACE']);
      expect(messages[0].catalog.streams.at(-1).name).toBe('custom_1499');
      expect(errorsOf(messages)).toEqual([{ message: 'The discover was stopped by a termination signal; run it again.', failure_type: 'transient_error' }]);
      expect(sb.stats().peakPerSecond).toBe(0); // discover made no request
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      sb.setLatency(0);
    }
  });

  it('a discover that is not signalled still exits 0 with the whole catalog and nothing else', async () => {
    const result = await runRecorded(['discover'], { config: config() }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['CATALOG']);
  });
});
