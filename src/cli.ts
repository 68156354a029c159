/**
 * The command line: spec | check | discover | read (and sync, query). Parses arguments, loads the files, runs
 * the command, and turns every failure into one TRACE ERROR with a non-zero exit. Nothing but protocol
 * messages reaches stdout.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConnectorError, asConnectorError, configError } from './errors.js';
import { errorMessage } from './protocol/messages.js';
import { Output } from './protocol/output.js';
import { configSecrets, parseConfig, type Config } from './config.js';
import { runSpec, runCheck, runDiscover, runRead } from './commands.js';
import { ProtocolSink } from './protocol/sink.js';
import { machineClock, type Clock } from './clock.js';

export const COMMANDS = ['spec', 'check', 'discover', 'read'] as const;

const USAGE = 'usage: source-customer-io spec | check --config FILE | discover --config FILE | read --config FILE --catalog FILE [--state FILE]';

/** Reads and parses a JSON file, naming the file and the argument in every problem. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw configError(`--${what} ${path} is a directory, not a JSON file`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    const code = (error as { code?: string }).code;
    throw configError(code === 'ENOENT' ? `--${what} file not found: ${path}` : `--${what} file ${path} cannot be read (${code ?? 'error'})`);
  }
  if (text.trim() === '') throw configError(`--${what} file ${path} is empty`);
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only the position: V8's message quotes the text around the error, which may be part of a secret.
    const at = /position (\d+)/.exec((error as Error).message);
    throw configError(`--${what} file ${path} is not valid JSON${at ? ` (syntax error at character ${at[1]})` : ''}`);
  }
}

function parseCommandLine(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command) throw configError(`No command given. ${USAGE}`);
  if (!(COMMANDS as readonly string[]).includes(command)) throw configError(`Unknown command "${command}". ${USAGE}`);
  try {
    const { values } = parseArgs({
      args: rest,
      options: { config: { type: 'string' }, catalog: { type: 'string' }, state: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    return { command: command as (typeof COMMANDS)[number], values };
  } catch (error) {
    throw configError(`${(error as Error).message.split('\n')[0]}. ${USAGE}`);
  }
}

function requireOption(values: Record<string, string | undefined>, name: string, command: string): string {
  const value = values[name];
  if (!value) throw configError(`"${command}" needs --${name} FILE. ${USAGE}`);
  return value;
}

/** Runs one command with the run's one clock (unix ms); resolves with the exit code. */
export async function main(argv: string[], output = new Output(), clock: Clock = machineClock): Promise<number> {
  // Not a protocol command: it speaks to people (summary on stdout, progress on stderr) and parses its own
  // arguments. Loaded on demand, so the protocol commands never load DuckDB's native binding.
  if (argv[0] === 'sync') return (await import('./sync/cli.js')).syncCommand(argv.slice(1), { readJson: readJsonFile, options: { clock } });
  if (argv[0] === 'query') return (await import('./sync/query.js')).queryCommand(argv.slice(1));
  // The reporting-webhook receiver: a server, not a protocol command (src/webhooks).
  if (argv[0] === 'serve-webhooks') return (await import('./webhooks/command.js')).serveWebhooksCommand(argv.slice(1), readJsonFile);
  let config: Config | undefined;
  try {
    const { command, values } = parseCommandLine(argv);
    if (command === 'spec') return runSpec(output);
    const rawConfig = readJsonFile(requireOption(values, 'config', command), 'config');
    output.setSecrets(configSecrets(rawConfig));
    if (command === 'check') return await runCheck(rawConfig, output, clock);
    config = parseConfig(rawConfig);
    if (command === 'discover') return await runDiscover(config, output, clock);
    const catalog = readJsonFile(requireOption(values, 'catalog', command), 'catalog');
    const state = values.state ? readJsonFile(values.state, 'state') : undefined;
    return await runRead(config, catalog, state, new ProtocolSink(output), { clock });
  } catch (error) {
    const failure = asConnectorError(error);
    output.emit(errorMessage(failure.message, failure.failureType, clock(), { internal: failure.internal, stream: failure.stream }));
    return 1;
  }
}
