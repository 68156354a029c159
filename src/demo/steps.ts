/**
 * The demo runs the built connector the way a platform does: one child process per command, config,
 * catalog and state as files, the raw protocol output kept in a file per step. This file runs one step
 * and reads its output back (records per stream, final states, errors) for the human summary.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIVATE_NETWORK_ENV } from '../engine/egress.js';

/** dist/main.js, beside this file's folder once built. */
export const CONNECTOR = fileURLToPath(new URL('../main.js', import.meta.url));

export interface StepResult {
  code: number | null;
  ms: number;
  /** Protocol messages of the step (parsed from its stdout), for protocol commands. */
  messages: Array<Record<string, any>>;
  stdout: string;
  /** Where its stdout was saved. */
  file: string;
}

/** Writes a JSON input file into the output folder and returns its path. */
export function inputFile(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
  return path;
}

/**
 * Runs `node dist/main.js <args>`; stdout goes to `<dir>/<file>` (and is parsed as protocol lines when
 * `protocol`), stderr to the terminal (sync's live progress) or to `<file>.stderr.txt`.
 */
export function runConnector(args: string[], dir: string, file: string, options: { protocol: boolean; showStderr?: boolean; env?: Record<string, string> }): Promise<StepResult> {
  const started = Date.now();
  const path = join(dir, file);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONNECTOR, ...args], {
      stdio: ['ignore', 'pipe', options.showStderr ? 'inherit' : 'pipe'],
      // The sandbox is plain http on 127.0.0.1: the operator's permission (docs/security.md).
      env: { ...process.env, NODE_OPTIONS: '', [PRIVATE_NETWORK_ENV]: '1', ...options.env },
    });
    const out = createWriteStream(path);
    let stdout = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      out.write(chunk);
    });
    if (!options.showStderr) child.stderr!.pipe(createWriteStream(`${path}.stderr.txt`));
    child.on('error', reject);
    child.on('close', (code) => {
      out.end(() => {
        const messages = options.protocol ? stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, any>) : [];
        resolve({ code, ms: Date.now() - started, messages, stdout, file: path });
      });
    });
  });
}

export const ofType = (step: StepResult, type: string) => step.messages.filter((m) => m.type === type);

/** RECORD messages per stream, in the order streams first appear. */
export function recordsPerStream(step: StepResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of ofType(step, 'RECORD')) counts.set(m.record.stream, (counts.get(m.record.stream) ?? 0) + 1);
  return counts;
}

/** The last STATE of every stream, as the per-stream state file the next read takes. */
export function finalState(step: StepResult): unknown[] {
  const last = new Map<string, any>();
  for (const m of ofType(step, 'STATE')) last.set(m.state.stream.stream_descriptor.name, m.state);
  return [...last.values()].map((s) => ({ type: 'STREAM', stream: s.stream }));
}

/** Messages of the TRACE ERRORs a step printed. */
export const errorsOf = (step: StepResult): string[] =>
  ofType(step, 'TRACE')
    .filter((m) => m.trace.type === 'ERROR')
    .map((m) => `${m.trace.error.stream_descriptor?.name ? `${m.trace.error.stream_descriptor.name}: ` : ''}${m.trace.error.message}`);

/** A configured catalog of every discovered stream: incremental where the stream supports it, as a first full read. */
export function catalogFromDiscover(step: StepResult): { streams: unknown[] } {
  const [catalog] = ofType(step, 'CATALOG');
  const streams = (catalog?.catalog.streams ?? []) as Array<{ name: string; supported_sync_modes: string[]; source_defined_primary_key?: string[][] }>;
  return {
    streams: streams.map((stream) => {
      const incremental = stream.supported_sync_modes.includes('incremental');
      return {
        stream,
        sync_mode: incremental ? 'incremental' : 'full_refresh',
        destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
        ...(stream.source_defined_primary_key ? { primary_key: stream.source_defined_primary_key } : {}),
      };
    }),
  };
}
