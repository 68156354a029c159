/**
 * Runs the built connector (`dist/main.js read`) as a platform does: config and catalog as files, stdout
 * read line by line — at full speed, or throttled to a number of bytes a second (a slow platform). Lines
 * are not parsed unless asked: RECORD lines are recognised by their prefix and counted per stream, so the
 * benchmark's own reading costs little next to the connector's work.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnMeasured, type Usage } from './measured.js';
import { DIST } from './sandbox-process.js';

export interface ConnectorRun {
  config: Record<string, unknown>;
  catalog: unknown;
  state?: unknown;
  env?: Record<string, string>;
  /**
   * The connector's clock (unix s, set as CIO_TEST_CLOCK): where the sandbox's stands, or a little after it, so
   * the two agree whatever the machine's clock says (issue 21).
   */
  clock?: number;
  /** Read stdout at most this fast (bytes a second); unlimited when absent. */
  readBytesPerSecond?: number;
  /** Called with every RECORD line (for per-partition counts); costs a JSON.parse per call, if the callee parses. */
  onRecord?: (stream: string, line: string) => void;
  /** Keep the last STATE message (parsed) in `lastState`, for a next incremental read. */
  keepState?: boolean;
  timeoutMs?: number;
}

export interface ConnectorResult {
  exitCode: number | null;
  wallMs: number;
  usage?: Usage;
  rssSamplesMb: number[];
  records: number;
  recordsByStream: Record<string, number>;
  states: number;
  /** The last STATE message's `state` (with keepState). */
  lastState?: unknown;
  /** Bytes of the STATE lines (newlines included). */
  stateBytes: number;
  /** The last STATE line of each stream, as printed (parsed only when asked: see lastStates). */
  lastStateLines: Record<string, string>;
  bytes: number;
  /** Every line that is not a RECORD, parsed (STATE, TRACE, LOG). */
  others: Array<Record<string, any>>;
  stderr: string;
}

const RECORD_PREFIX = '{"type":"RECORD","record":{"stream":"';
const STATE_PREFIX = '{"type":"STATE"';

/** The last STATE of each stream of a run, as a `--state` input (the per-stream array). */
export function lastStates(result: ConnectorResult): unknown[] {
  return Object.values(result.lastStateLines).map((line) => (JSON.parse(line) as { state: unknown }).state);
}

export function catalogOf(streams: string[]): unknown {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'overwrite',
    })),
  };
}

export async function runConnector(run: ConnectorRun): Promise<ConnectorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cio-bench-'));
  const args = ['read'];
  for (const [name, value] of Object.entries({ config: run.config, catalog: run.catalog, state: run.state })) {
    if (value === undefined) continue;
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(value));
    args.push(`--${name}`, path);
  }
  const env = run.clock === undefined ? run.env : { ...run.env, CIO_TEST_CLOCK: String(run.clock) };
  const { child, done } = spawnMeasured(join(DIST, 'main.js'), args, env);
  const result: ConnectorResult = { exitCode: null, wallMs: 0, rssSamplesMb: [], records: 0, recordsByStream: {}, states: 0, stateBytes: 0, lastStateLines: {}, bytes: 0, others: [], stderr: '' };
  let pending = '';
  let lastStateLine: string | undefined;
  const onLine = (line: string) => {
    if (line.startsWith(RECORD_PREFIX)) {
      const stream = line.slice(RECORD_PREFIX.length, line.indexOf('"', RECORD_PREFIX.length));
      result.records++;
      result.recordsByStream[stream] = (result.recordsByStream[stream] ?? 0) + 1;
      run.onRecord?.(stream, line);
      return;
    }
    if (line.startsWith(STATE_PREFIX)) {
      result.states++;
      if (run.keepState) lastStateLine = line;
      result.stateBytes += Buffer.byteLength(line) + 1;
      // The stream's name without parsing the line: {"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"…"
      const name = /"stream_descriptor":\{"name":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '';
      result.lastStateLines[name] = line;
      return;
    }
    if (line.trim()) result.others.push(JSON.parse(line) as Record<string, any>);
  };
  const stdout = child.stdout!;
  stdout.setEncoding('utf8');
  const throttle = run.readBytesPerSecond ? startThrottle(stdout, run.readBytesPerSecond) : undefined;
  stdout.on('data', (chunk: string) => {
    result.bytes += chunk.length;
    throttle?.took(chunk.length);
    pending += chunk;
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      onLine(pending.slice(start, newline));
      start = newline + 1;
    }
    pending = pending.slice(start);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs ?? 30 * 60_000);
  const finished = await done;
  clearTimeout(timer);
  throttle?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (pending.trim()) onLine(pending);
  if (lastStateLine) result.lastState = (JSON.parse(lastStateLine) as { state: unknown }).state;
  return { ...result, exitCode: finished.exitCode, wallMs: finished.wallMs, usage: finished.usage, rssSamplesMb: finished.rssSamplesMb, stderr: finished.stderr };
}

/** Pauses `stream` whenever more than `bytesPerSecond` has been taken in the current tenth of a second. */
function startThrottle(stream: NodeJS.ReadableStream, bytesPerSecond: number) {
  const perTick = bytesPerSecond / 10;
  let taken = 0;
  const timer = setInterval(() => {
    taken = Math.max(0, taken - perTick);
    if (taken < perTick && stream.isPaused()) stream.resume();
  }, 100);
  return {
    took(bytes: number) {
      taken += bytes;
      if (taken >= perTick) stream.pause();
    },
    stop: () => clearInterval(timer),
  };
}
