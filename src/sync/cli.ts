/**
 * The `sync` command line: see SYNC_USAGE.
 * Not a protocol command, so it speaks to people: the summary on stdout, progress and problems on stderr,
 * exit code 0 when every stream synced, 1 otherwise.
 */
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ConnectorError } from '../errors.js';
import { redactorFor } from '../protocol/output.js';
import { configSecrets } from '../config.js';
import { readStateFile } from '../files.js';
import { chooseKey, KEY_VARIABLE } from '../key.js';
import { runSync, type SyncIo, type SyncOptions } from './command.js';

export const SYNC_USAGE = `usage: source-customer-io sync --config FILE [--streams a,b,c | --catalog FILE] [--state FILE] [--duckdb PATH] [--full-refresh]

  --config FILE     the connector config (the same JSON as for read); the key may come from ${KEY_VARIABLE} instead
  --streams a,b,c   the streams to sync, by name (incremental where the stream offers it); e.g. campaigns,customers,messages
  --catalog FILE    a configured catalog instead (any catalog read takes); default: every stream, incremental where it can be
  --state FILE      start the streams it names from this state (a read's STATE messages or lines, or Airbyte's), not from the file's
  --duckdb PATH     the DuckDB file to write (created when missing); default: customerio.duckdb
  --full-refresh    ignore the saved state and rebuild every table (each swapped in only when its stream completes)`;

export const DEFAULT_DUCKDB = 'customerio.duckdb';

export interface SyncCommandDeps extends Partial<SyncIo> {
  /** Reads and parses a JSON file, naming the argument in its errors (the protocol commands' reader). */
  readJson: (path: string, what: string) => unknown;
  options?: SyncOptions;
}

/** Runs `sync` with the arguments after the command name; resolves with the exit code. */
export async function syncCommand(args: string[], deps: SyncCommandDeps): Promise<number> {
  const io: SyncIo = { stdout: deps.stdout ?? process.stdout, stderr: deps.stderr ?? process.stderr };
  let redact = (text: string) => text;
  try {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          config: { type: 'string' },
          catalog: { type: 'string' },
          streams: { type: 'string' },
          state: { type: 'string' },
          duckdb: { type: 'string' },
          'full-refresh': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new ConnectorError(`${(error as Error).message.split('\n')[0]}\n${SYNC_USAGE}`, 'config_error');
    }
    if (values.help) {
      io.stdout.write(`${SYNC_USAGE}\n`);
      return 0;
    }
    if (!values.config) throw new ConnectorError(`sync needs --config FILE\n${SYNC_USAGE}`, 'config_error');
    const rawConfig = deps.readJson(values.config, 'config');
    const key = chooseKey(rawConfig);
    // The keys (the file's and the environment's) and the receivers' read token.
    redact = redactorFor([...key.secrets, ...configSecrets(rawConfig)]);
    if (key.note) io.stderr.write(`note: ${key.note}\n`);
    if (values.catalog !== undefined && values.streams !== undefined) throw new ConnectorError(`sync takes --catalog FILE or --streams a,b,c, not both\n${SYNC_USAGE}`, 'config_error');
    const rawCatalog = values.catalog ? deps.readJson(values.catalog, 'catalog') : undefined;
    const given = values.state ? readStateFile(values.state) : undefined;
    for (const note of given?.notes ?? []) io.stderr.write(`${note.level === 'WARN' ? 'warning' : 'note'}: ${redact(note.message)}\n`);
    const result = await runSync(
      {
        rawConfig: key.config,
        rawCatalog,
        streams: values.streams,
        // An empty --state file (no state) seeds nothing: said above.
        ...(given?.state !== undefined ? { seedState: given.state } : {}),
        duckdbPath: values.duckdb ?? DEFAULT_DUCKDB,
        fullRefresh: values['full-refresh'] === true,
      },
      io,
      { program: invocation(), secrets: key.secrets, ...deps.options },
    );
    return result.exitCode;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${redact(message)}\n`);
    return 1;
  }
}

/** How this process was started (`node dist/main.js`), so the summary's query hint can be pasted as it is. */
function invocation(): string {
  const script = process.argv[1];
  if (!script) return 'source-customer-io';
  const near = relative(process.cwd(), script);
  return `node ${near && !near.startsWith('..') && !isAbsolute(near) ? near : script}`;
}
