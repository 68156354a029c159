/**
 * How the reliability tests run the connector: the built CLI as a child process (test/helpers/cli.ts, every
 * stdout line validated against the protocol) or `main(argv, output)` in-process over a PassThrough, and in
 * both cases every output kept and checked for the key (outputs.ts).
 */
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { machineClock, testClock } from '../../../src/clock.js';
import { assertOneClock, type ClockApart } from '../../../src/sandbox/one-clock.js';
import { Output } from '../../../src/protocol/output.js';
import { CliResult, runCli, writeInputs, type CliFiles, type CliOptions, type Message } from '../../helpers/cli.js';
import { parseProtocolLines } from '../../helpers/protocol.js';
import { keepOutput, secretsOf } from './outputs.js';

/** Retries that take milliseconds, not minutes: the same loop, the same policy, smaller numbers. */
export const FAST_RETRIES = {
  CIO_MAX_TRIES: '10',
  CIO_BACKOFF_BASE_MS: '10',
  CIO_BACKOFF_MAX_MS: '100',
  CIO_REQUEST_TIMEOUT_MS: '2000',
};

/** Runs the built CLI, keeps stdout and stderr for the secret scan, fails at once on a leaked key. */
export async function runRecorded(args: string[], files: CliFiles = {}, options: CliOptions & { secrets?: string[] } = {}): Promise<CliResult> {
  const result = await runCli(args, files, { ...options, env: { ...FAST_RETRIES, ...options.env } });
  const secrets = [...secretsOf(files.config, options.env), ...(options.secrets ?? [])];
  keepOutput(`${args.join(' ')} (stdout)`, result.stdout, secrets);
  keepOutput(`${args.join(' ')} (stderr)`, result.stderr, secrets);
  return result;
}

export interface InProcessResult {
  code: number;
  messages: Message[];
  stdout: string;
  /** Whatever reached process.stderr while main() ran (jest's own writes included, if it runs in band). */
  stderr: string;
}

export interface InProcessOptions {
  /** CIO_TEST_CLOCK for this run (the variable the CLI's entry point reads; main() itself takes a clock). */
  testClock?: string;
  /** As runCli's: the connector's clock meant to be off the sandbox's, by how much and why. */
  clockApart?: ClockApart;
}

/**
 * `main(argv, output, clock)` with an Output over a PassThrough: the same code path as the CLI minus the process.
 * `files` are written to temp files and appended as flags, as runCli does. The clock is the one the CLI would
 * have with `options.testClock` as CIO_TEST_CLOCK, and the same one-clock check applies.
 */
export async function runInProcess(argv: string[], files: CliFiles = {}, secrets: string[] = [], options: InProcessOptions = {}): Promise<InProcessResult> {
  assertOneClock(files.config, { CIO_TEST_CLOCK: options.testClock }, options.clockApart);
  const clock = testClock(options.testClock) ?? machineClock;
  const sink = new PassThrough();
  let stdout = '';
  sink.setEncoding('utf8');
  sink.on('data', (chunk: string) => (stdout += chunk));
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main([...argv, ...writeInputs(files)], new Output(sink), clock);
  } finally {
    process.stderr.write = write;
  }
  await new Promise((resolve) => setImmediate(resolve));
  const all = [...secretsOf(files.config), ...secrets];
  keepOutput(`in-process ${argv.join(' ')} (stdout)`, stdout, all);
  keepOutput(`in-process ${argv.join(' ')} (stderr)`, stderr, all);
  return { code, messages: parseProtocolLines(stdout), stdout, stderr };
}

export const errorsOf = (messages: Message[]) => messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);
export const logsOf = (messages: Message[], level?: string): string[] =>
  messages.filter((m) => m.type === 'LOG' && (!level || m.log.level === level)).map((m) => m.log.message as string);

export { CliResult };
