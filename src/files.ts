/** The files a command is given (--config, --catalog, --state), read with one-line problems naming the file and the flag. */
import { readFileSync, statSync } from 'node:fs';
import { ConnectorError, configError } from './errors.js';
import { stateFromText, type StateFromText } from './protocol/state.js';

/** A file's text, naming the file and the argument in every problem. */
export function readTextFile(path: string, what: string): string {
  try {
    if (statSync(path).isDirectory()) throw configError(`--${what} ${path} is a directory, not a JSON file`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    const code = (error as { code?: string }).code;
    throw configError(code === 'ENOENT' ? `--${what} file not found: ${path}` : `--${what} file ${path} cannot be read (${code ?? 'error'})`);
  }
}

/** Reads and parses a JSON file, naming the file and the argument in every problem. */
export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  if (text.trim() === '') throw configError(`--${what} file ${path} is empty`);
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only the position: V8's message quotes the text around the error, which may be part of a secret.
    const at = /position (\d+)/.exec((error as Error).message);
    throw configError(`--${what} file ${path} is not valid JSON${at ? ` (syntax error at character ${at[1]})` : ''}`);
  }
}

/** A --state file: JSON or JSON lines (what a read printed), with notes on what was made of it. */
export function readStateFile(path: string): StateFromText {
  return stateFromText(readTextFile(path, 'state'), `The --state file ${path}`);
}

