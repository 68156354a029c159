/**
 * Every command of the CLI, in one table: the usage text, `--help` and the "unknown command" answer are built from
 * it, so a command added here is listed everywhere. Protocol commands (Airbyte's) print protocol messages only on
 * stdout and are run by cli.ts; the commands for people load their own module on demand (so the protocol commands
 * never load DuckDB's native binding) and parse their own arguments.
 */
import type { Clock } from './clock.js';

export interface PeopleCommandContext {
  clock: Clock;
  /** Reads and parses a JSON file, naming the argument in its errors. */
  readJson: (path: string, what: string) => unknown;
}

export interface CommandEntry {
  name: string;
  /** Its arguments, as the usage shows them. */
  args: string;
  /** What it does, in a few words. */
  does: string;
  /** Runs a command for people with the arguments after its name; absent for the protocol commands (cli.ts runs those). */
  run?: (args: string[], context: PeopleCommandContext) => Promise<number>;
}

export const PROTOCOL_COMMANDS: readonly CommandEntry[] = [
  { name: 'spec', args: '', does: 'the configuration it takes (one SPEC)' },
  { name: 'check', args: '--config FILE', does: 'tries the key with one request (one CONNECTION_STATUS)' },
  { name: 'discover', args: '--config FILE', does: 'every stream with its schema (one CATALOG)' },
  { name: 'read', args: '--config FILE (--catalog FILE | --streams a,b,c) [--state FILE]', does: 'the streams as RECORD, STATE, TRACE and LOG lines' },
];

export const PEOPLE_COMMANDS: readonly CommandEntry[] = [
  {
    name: 'sync',
    args: '--config FILE [--streams a,b,c | --catalog FILE] [--state FILE] [--duckdb PATH] [--full-refresh]',
    does: 'lands the streams in a local DuckDB file (customerio.duckdb); sync --help for more',
    run: async (args, context) => (await import('./sync/cli.js')).syncCommand(args, { readJson: context.readJson, options: { clock: context.clock } }),
  },
  {
    name: 'query',
    args: 'FILE SQL [--json]',
    does: 'prints the rows of one SQL query on that file; query --help for more',
    run: async (args) => (await import('./sync/query.js')).queryCommand(args),
  },
  {
    // A server, not a protocol command (src/webhooks): it keeps what Customer.io's reporting webhooks post.
    name: 'serve-webhooks',
    args: '[--config FILE]',
    does: "receives Customer.io's reporting webhooks and keeps them for the reporting_events stream; serve-webhooks --help for more",
    run: async (args, context) => (await import('./webhooks/command.js')).serveWebhooksCommand(args, context.readJson),
  },
];

export const HELP_WORDS = ['help', '--help', '-h'];

export const ALL_COMMANDS = (): CommandEntry[] => [...PROTOCOL_COMMANDS, ...PEOPLE_COMMANDS];

const OPTIONS = [
  ['--config FILE', 'the connector config (JSON; secrets.example shows one). The key may come from CUSTOMERIO_APP_API_KEY instead'],
  ['--catalog FILE', 'a configured catalog: the streams and their sync modes (catalog/ holds ready ones)'],
  ['--streams a,b,c', 'the streams by name instead of a catalog: incremental where the stream offers it (discover lists them)'],
  ['--state FILE', 'where the last read stopped: its STATE messages (a JSON list, or the STATE lines as printed)'],
];

/** The usage text, from the table: each command on its line, what it does under it. */
export function usage(program = 'source-customer-io'): string {
  const command = (c: CommandEntry) => [`  ${program} ${`${c.name} ${c.args}`.trim()}`, `      ${c.does}`];
  const width = Math.max(...OPTIONS.map(([o]) => o.length));
  return [
    `usage: ${program} COMMAND [options]`,
    '',
    'Airbyte protocol commands (stdout carries protocol messages only, one JSON object a line):',
    ...PROTOCOL_COMMANDS.flatMap(command),
    '',
    'Commands for people (stdout is for reading):',
    ...PEOPLE_COMMANDS.flatMap(command),
    `  ${program} ${HELP_WORDS.join(' | ')}`,
    '      this text',
    '',
    'Options:',
    ...OPTIONS.map(([option, meaning]) => `  ${option.padEnd(width)}  ${meaning}`),
  ].join('\n');
}
