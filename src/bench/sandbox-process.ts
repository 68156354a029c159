/**
 * The sandbox as its own process (`node dist/sandbox/main.js …`), as a platform's API would be: its CPU
 * (generating a million activities) is not the connector's, and its event loop is not the benchmark's.
 * Steered and read through its /__sandbox control endpoints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxSizes, SandboxStats } from '../sandbox/index.js';

export const DIST = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SandboxProcessOptions {
  sizes: Partial<SandboxSizes>;
  latencyMs: number;
  /** Requests per second per key, or false for no limit. */
  rateLimit: number | false;
  /** Virtual clock (unix s); it stands still during the run. */
  now: number;
  seed?: number;
  /** More sandbox CLI flags, e.g. `['--exports', '{"prepareMs":1000}']`. */
  extraArgs?: string[];
}

export interface SandboxProcess {
  url: string;
  /** The virtual clock it started at (unix s): it stands still unless advanced through the controls. */
  now: number;
  controlUrl: string;
  pid: number;
  stats(): Promise<SandboxStats>;
  resetStats(): Promise<void>;
  /** Any /__sandbox control: `GET exports`, `POST rate-limit` with a body… */
  control(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export async function startSandboxProcess(options: SandboxProcessOptions): Promise<SandboxProcess> {
  const args = [join(DIST, 'sandbox', 'main.js'), '--seed', String(options.seed ?? 7), '--now', String(options.now), '--latency', String(options.latencyMs)];
  args.push('--rate-limit', options.rateLimit === false ? 'off' : String(options.rateLimit));
  for (const [name, value] of Object.entries(options.sizes)) args.push(`--${kebab(name)}`, String(value));
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const ready = await readyLine(child);
  const controlUrl = String(ready.controlUrl);
  const control = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${controlUrl}/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    if (!response.ok) throw new Error(`sandbox control ${method} ${path} answered ${response.status}`);
    return response.json();
  };
  return {
    url: String(ready.url),
    now: options.now,
    controlUrl,
    pid: child.pid!,
    stats: async () => (await control('GET', 'stats')) as SandboxStats,
    resetStats: async () => void (await control('POST', 'reset-stats')),
    control,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error('the sandbox did not start within 30 s')), 30_000);
    const onExit = (code: number | null) => fail(new Error(`the sandbox exited (${code}) before it was ready: ${stderr.slice(0, 1000)}`));
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      text += chunk;
      for (const line of text.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.ready) {
          clearTimeout(timer);
          child.off('exit', onExit);
          child.stdout!.removeAllListeners('data');
          child.stdout!.resume();
          resolve(parsed);
          return;
        }
      }
    });
    child.once('exit', onExit);
  });
}
