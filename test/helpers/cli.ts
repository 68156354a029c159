/**
 * Runs the built CLI (dist/main.js) as an orchestrator does: config, catalog and state as files, stdout
 * parsed line by line and validated against the Airbyte protocol. Build first (`npm run build`; `npm test`
 * does). Helpers pick messages apart by type and stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertOneClock, type ClockApart } from '../../src/sandbox/one-clock.js';
import { parseProtocolLines } from './protocol.js';
import { PRIVATE_NETWORK_ENV } from '../../src/engine/egress.js';
import { scratchDir } from './scratch.js';

export const PROJECT_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();
export const CLI = join(PROJECT_ROOT, 'dist', 'main.js');

export type Message = Record<string, any>;

export interface CliFiles {
  config?: unknown;
  catalog?: unknown;
  state?: unknown;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Called with each parsed message as it arrives (e.g. to kill the process mid-read). */
  onMessage?: (message: Message, child: ChildProcess) => void;
  /** Called with the process once started (e.g. to signal it before it has printed anything). */
  onSpawn?: (child: ChildProcess) => void;
  timeoutMs?: number;
  /** Skip protocol validation (for tests that look at broken output on purpose). */
  raw?: boolean;
  /**
   * The connector's clock is meant to be off the sandbox's by more than a minute (src/sandbox/one-clock.ts):
   * how far at most, and why. Without it a run whose config points at a sandbox of this process while the
   * connector's clock (CIO_TEST_CLOCK, or the machine's) is more than a minute from the sandbox's is refused.
   */
  clockApart?: ClockApart;
}

export class CliResult {
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly messages: Message[],
    readonly stdout: string,
    readonly stderr: string,
  ) {}

  ofType(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }
  records(stream?: string): Array<Record<string, any>> {
    return this.ofType('RECORD')
      .filter((m) => !stream || m.record.stream === stream)
      .map((m) => m.record.data);
  }
  recordMessages(stream?: string): Message[] {
    return this.ofType('RECORD').filter((m) => !stream || m.record.stream === stream);
  }
  states(stream?: string): Message[] {
    return this.ofType('STATE').filter((m) => !stream || m.state.stream?.stream_descriptor?.name === stream);
  }
  /** The last stream_state of a stream. */
  lastState(stream: string): Record<string, any> | undefined {
    const all = this.states(stream);
    return all.length ? all[all.length - 1].state.stream.stream_state : undefined;
  }
  /** The last STATE message of every stream, as an input state file (per-stream array form). */
  finalState(): Message[] {
    const last = new Map<string, Message>();
    for (const m of this.states()) last.set(m.state.stream.stream_descriptor.name, m.state);
    return [...last.values()].map((s) => ({ type: 'STREAM', stream: s.stream }));
  }
  statuses(stream: string): string[] {
    return this.ofType('TRACE')
      .filter((m) => m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream)
      .map((m) => m.trace.stream_status.status);
  }
  get errors(): Array<{ message: string; failure_type: string; internal_message?: string; stream_descriptor?: { name: string } }> {
    return this.ofType('TRACE')
      .filter((m) => m.trace.type === 'ERROR')
      .map((m) => m.trace.error);
  }
  logs(level?: string): string[] {
    return this.ofType('LOG')
      .filter((m) => !level || m.log.level === level)
      .map((m) => m.log.message);
  }
}

/** The environment without CUSTOMERIO_APP_API_KEY (src/key.ts). */
export function withoutKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CUSTOMERIO_APP_API_KEY: _key, ...rest } = env;
  return rest;
}

let fileCounter = 0;

/** Writes `files` to a temp dir and returns the CLI flags for them. */
export function writeInputs(files: CliFiles): string[] {
  const dir = scratchDir('cio-cli-');
  const args: string[] = [];
  for (const [name, value] of Object.entries(files)) {
    if (value === undefined) continue;
    const path = join(dir, `${name}-${fileCounter++}.json`);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    args.push(`--${name}`, path);
  }
  return args;
}

export function runCli(args: string[], files: CliFiles = {}, options: CliOptions = {}): Promise<CliResult> {
  // The sandbox is http on 127.0.0.1: allowed by default; a test of the refusal passes PRIVATE_NETWORK_ENV ''.
  // A key in the developer's own environment must not reach a test's run unless the test gives one.
  const env = { ...withoutKey(process.env), NODE_OPTIONS: '', [PRIVATE_NETWORK_ENV]: '1', ...options.env };
  try {
    // Before anything runs: a read on another clock than the sandbox's would be compared with the wrong truth (issue 21).
    assertOneClock(files.config, env, options.clockApart);
  } catch (error) {
    return Promise.reject(error);
  }
  const fullArgs = [CLI, ...args, ...writeInputs(files)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, fullArgs, {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    const live: Message[] = [];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!options.onMessage) return;
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line) {
          try {
            const message = JSON.parse(line) as Message;
            live.push(message);
            options.onMessage(message, child);
          } catch {
            // validated below
          }
        }
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out after ${options.timeoutMs ?? 120_000} ms: ${args.join(' ')}\nstderr: ${stderr.slice(0, 2000)}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        // A process killed mid-line may leave a partial last line: only complete lines are messages.
        const complete = signal ? stdout.slice(0, stdout.lastIndexOf('\n') + 1) : stdout;
        const messages = options.raw ? [] : parseProtocolLines(complete);
        resolve(new CliResult(code, signal, messages, stdout, stderr));
      } catch (error) {
        reject(error);
      }
    });
  });
}
