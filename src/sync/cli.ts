/**
 * The `sync` command line: `sync --config FILE [--catalog FILE] [--duckdb PATH] [--full-refresh]`.
 * Not a protocol command, so it speaks to people: the summary on stdout, progress and problems on stderr,
 * exit code 0 when every stream synced, 1 otherwise.
 */
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ConnectorError } from '../errors.js';
import { redactorFor } from '../protocol/output.js';
import { configSecrets } from '../config.js';
import { runSync, type SyncIo, type SyncOptions } from './command.js';

export const SYNC_USAGE = `usage: source-customer-io sync --config FILE [--catalog FILE] [--duckdb PATH] [--full-refresh]

  --config FILE     the connector config (the same JSON as for read)
  --catalog FILE    a configured catalog; default: every stream, incremental where it can be
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
        options: { config: { type: 'string' }, catalog: { type: 'string' }, duckdb: { type: 'string' }, 'full-refresh': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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
    redact = redactorFor(configSecrets(rawConfig));
    const rawCatalog = values.catalog ? deps.readJson(values.catalog, 'catalog') : undefined;
    const result = await runSync(
      { rawConfig, rawCatalog, duckdbPath: values.duckdb ?? DEFAULT_DUCKDB, fullRefresh: values['full-refresh'] === true },
      io,
      { program: invocation(), ...deps.options },
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
