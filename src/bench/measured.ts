/**
 * Runs a Node program as a measured child process: the probe (probe.ts) reports its peak RSS and CPU time
 * through fd 3 when it exits, and its RSS is sampled from /proc while it runs (to see that it stays flat).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './sandbox-process.js';
import { PRIVATE_NETWORK_ENV } from '../engine/egress.js';

export interface Usage {
  maxRssMb: number;
  cpuSeconds: number;
}

export interface Measured {
  child: ChildProcess;
  /** Resolves when the process has exited and its usage has been read. */
  done: Promise<{ exitCode: number | null; wallMs: number; usage?: Usage; rssSamplesMb: number[]; stderr: string }>;
}

export function spawnMeasured(script: string, args: string[], env: Record<string, string> = {}): Measured {
  const started = performance.now();
  const probe = pathToFileURL(join(DIST, 'bench', 'probe.js')).href;
  const child = spawn(process.execPath, ['--import', probe, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    // The sandbox is plain http on 127.0.0.1: the operator's permission (docs/security.md).
    env: { ...process.env, NODE_OPTIONS: '', [PRIVATE_NETWORK_ENV]: '1', ...env },
  });
  let usageText = '';
  let stderr = '';
  const fd3 = child.stdio[3] as NodeJS.ReadableStream;
  fd3.setEncoding('utf8');
  fd3.on('data', (chunk: string) => (usageText += chunk));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (stderr.length < 100_000) stderr += chunk;
  });
  const rssSamplesMb: number[] = [];
  const sampler = setInterval(() => {
    const mb = rssOf(child.pid);
    if (mb !== undefined) rssSamplesMb.push(mb);
  }, 200);
  const done = new Promise<{ exitCode: number | null; wallMs: number; usage?: Usage; rssSamplesMb: number[]; stderr: string }>((resolve) => {
    child.on('close', (exitCode) => {
      clearInterval(sampler);
      const wallMs = performance.now() - started;
      let usage: Usage | undefined;
      try {
        const raw = JSON.parse(usageText.trim()) as { maxRssKb: number; userUs: number; systemUs: number };
        usage = { maxRssMb: raw.maxRssKb / 1024, cpuSeconds: (raw.userUs + raw.systemUs) / 1e6 };
      } catch {
        usage = undefined;
      }
      resolve({ exitCode, wallMs, usage, rssSamplesMb, stderr });
    });
  });
  return { child, done };
}

/** Resident set size of a process in MB, from /proc (Linux); undefined elsewhere or once it has exited. */
function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
