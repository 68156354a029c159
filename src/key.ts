/**
 * Where the App API key comes from: the config's `app_api_key`, or the environment variable
 * CUSTOMERIO_APP_API_KEY, so a key can stay out of files (a secrets manager, a CI secret, `export` in a shell).
 *
 * The config wins when it holds a key. A config is what a platform hands to this one connection, explicitly; an
 * environment variable is ambient (set once for a machine, an image, a CI job) and must never quietly replace the key
 * a platform configured, which could read another workspace into this connection's tables. Which one was used is
 * said in one line (never the key itself); both are secrets the output redacts, used or not.
 */
import type { JsonObject } from './protocol/messages.js';

export const KEY_VARIABLE = 'CUSTOMERIO_APP_API_KEY';

export interface KeyChoice {
  /** The config to parse: the file's, with the variable's key put in when the file has none. */
  config: unknown;
  /** Which key is used, for one LOG/stderr line; undefined when the variable is not set (nothing to tell). */
  note?: string;
  /** Every key seen (the file's and the variable's): redacted from all output. */
  secrets: string[];
}

const usable = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
/** Words, not a key (keys have no spaces): secrets.example's placeholder left in a config. */
const placeholder = (value: string): boolean => /\s/.test(value.trim());

export function chooseKey(raw: unknown, env: NodeJS.ProcessEnv = process.env): KeyChoice {
  const fromEnv = env[KEY_VARIABLE];
  const object = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as JsonObject) : undefined;
  const fromFile = object?.app_api_key;
  const secrets = [fromFile, fromEnv].filter((s): s is string => typeof s === 'string').flatMap((s) => [s, s.trim()]);
  if (!usable(fromEnv)) return { config: raw, secrets };
  if (usable(fromFile) && !placeholder(fromFile)) {
    const same = fromFile.trim() === fromEnv.trim();
    return {
      config: raw,
      secrets,
      note: `The App API key comes from the config file; ${KEY_VARIABLE} is set too${same ? ' (to the same key)' : ''} and is not used: a key in the config wins.`,
    };
  }
  // Not an object: left as it is, for parseConfig to refuse with its own message.
  if (!object) return { config: raw, secrets };
  const why = usable(fromFile) ? "the config file's app_api_key has spaces: a placeholder, not a key" : 'the config file has none';
  return { config: { ...object, app_api_key: fromEnv.trim() }, secrets, note: `The App API key comes from ${KEY_VARIABLE} (${why}).` };
}
