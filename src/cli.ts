/**
 * The command line: the commands of command-table.ts. Parses the protocol commands' arguments, loads the files,
 * runs the command, and turns every failure into one TRACE ERROR with a non-zero exit: nothing but protocol
 * messages reaches stdout. The commands for people (sync, query) run their own module.
 *
 * `--help`, `-h` and `help` print the usage on stdout and exit 0: no protocol command runs (a platform never asks for
 * help), and a person reading it expects to page or grep it. `read --help` (a protocol command's own flag) prints it on
 * stderr instead, so a protocol command's stdout never holds anything but protocol messages. An unknown command is a
 * config_error on stdout (what a platform reads), with the usage on stderr (what a person reads).
 */
import { parseArgs } from 'node:util';
import { ConnectorError, asConnectorError, configError } from './errors.js';
import { errorMessage } from './protocol/messages.js';
import { Output } from './protocol/output.js';
import { configSecrets, parseConfig, type Config } from './config.js';
import { runSpec, runCheck, runDiscover, runRead } from './commands.js';
import { ProtocolSink } from './protocol/sink.js';
import { machineClock, type Clock } from './clock.js';
import { ALL_COMMANDS, HELP_WORDS, PEOPLE_COMMANDS, PROTOCOL_COMMANDS, usage } from './command-table.js';
import { chooseKey } from './key.js';
import { didYouMean } from './nearest.js';
import { readJsonFile, readStateFile } from './files.js';
import { catalogOf, selectStreams } from './streams-option.js';
import { offeredStream } from './engine/discover.js';
import { streamsFor } from './customerio/streams/index.js';
import { withAliases } from './customerio/airbyte/index.js';

export { readJsonFile };

/** The protocol commands' names (Airbyte's four). */
export const COMMANDS = PROTOCOL_COMMANDS.map((c) => c.name);

const SEE_HELP = 'Run with --help for the usage.';

function unknownCommand(command: string | undefined): ConnectorError {
  const names = ALL_COMMANDS().map((c) => c.name);
  if (!command) return configError(`No command given: give one of ${names.join(', ')}. ${SEE_HELP}`);
  const near = didYouMean(command, names);
  return configError(`Unknown command "${command}"${near ? ` (${near})` : ''}: the commands are ${names.join(', ')}. ${SEE_HELP}`);
}

function parseCommandLine(command: string, rest: string[]) {
  try {
    const { values } = parseArgs({
      args: rest,
      options: { config: { type: 'string' }, catalog: { type: 'string' }, state: { type: 'string' }, streams: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    throw configError(`${(error as Error).message.split('\n')[0]} (${command} ${PROTOCOL_COMMANDS.find((c) => c.name === command)?.args ?? ''}). ${SEE_HELP}`);
  }
}

function requireOption(values: Record<string, unknown>, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw configError(`"${command}" needs --${name} FILE. ${SEE_HELP}`);
  return value;
}

/** The catalog of a read: --catalog's file, or one made from --streams (not both). */
function catalogFor(values: Record<string, unknown>, config: Config): unknown {
  const streams = values.streams as string | undefined;
  if (streams !== undefined && values.catalog !== undefined) {
    throw configError('"read" takes --catalog FILE or --streams a,b,c, not both: --streams is a catalog of the streams it names');
  }
  if (streams === undefined) {
    if (values.catalog === undefined) throw configError(`"read" needs --catalog FILE, or --streams a,b,c to name the streams. ${SEE_HELP}`);
    return readJsonFile(requireOption(values, 'catalog', 'read'), 'catalog');
  }
  return catalogOf(selectStreams(streams, withAliases(streamsFor(config)).map(offeredStream)));
}

/** Runs one command with the run's one clock (unix ms); resolves with the exit code. */
export async function main(argv: string[], output = new Output(), clock: Clock = machineClock): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && HELP_WORDS.includes(command)) {
    // `help sync`: that command's own usage.
    const topic = PEOPLE_COMMANDS.find((c) => c.name === rest[0]);
    if (topic?.run) return topic.run(['--help'], { clock, readJson: readJsonFile });
    output.text(`${usage()}\n`);
    return 0;
  }
  const people = PEOPLE_COMMANDS.find((c) => c.name === command);
  if (people?.run) return people.run(rest, { clock, readJson: readJsonFile });
  let config: Config | undefined;
  try {
    if (!command || !COMMANDS.includes(command)) {
      process.stderr.write(`${usage()}\n`);
      throw unknownCommand(command);
    }
    const values = parseCommandLine(command, rest);
    if (values.help) {
      process.stderr.write(`${usage()}\n`);
      return 0;
    }
    if (command === 'spec') return runSpec(output);
    const rawConfig = readJsonFile(requireOption(values, 'config', command), 'config');
    const key = chooseKey(rawConfig);
    // The keys (the file's and the environment's) and the receivers' read token: redacted from every output.
    output.setSecrets([...key.secrets, ...configSecrets(rawConfig)]);
    if (key.note) output.log('INFO', key.note);
    if (command === 'check') return await runCheck(key.config, output, clock);
    config = parseConfig(key.config);
    if (command === 'discover') return await runDiscover(config, output, clock);
    const catalog = catalogFor(values, config);
    const given = values.state ? readStateFile(values.state) : undefined;
    for (const note of given?.notes ?? []) output.log(note.level, note.message);
    return await runRead(config, catalog, given?.state, new ProtocolSink(output), { clock });
  } catch (error) {
    const failure = asConnectorError(error);
    output.emit(errorMessage(failure.message, failure.failureType, clock(), { internal: failure.internal, stream: failure.stream }));
    return 1;
  }
}
