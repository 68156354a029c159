/**
 * Every output the reliability suite produces (stdout and stderr of CLI runs, the text of in-process runs)
 * is checked for the run's secrets at once, and also kept on disk so the suite-wide scan
 * (test/global-teardown.mjs, jest's globalTeardown) can grep all of them again when the whole run is over.
 */
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set by test/global-setup.mjs for the whole jest run; a per-process folder when the suite runs without it. */
const DIR = process.env.CIO_RELIABILITY_OUTPUTS ?? mkdtempSync(join(tmpdir(), 'cio-reliability-outputs-'));
mkdirSync(DIR, { recursive: true });
let counter = 0;

/**
 * Secrets worth looking for: string keys long enough not to occur by chance in ordinary output — the config's
 * `app_api_key` and the key a run is given in its environment (CUSTOMERIO_APP_API_KEY, src/key.ts).
 */
export function secretsOf(config: unknown, env: Record<string, string | undefined> = {}): string[] {
  const key = config && typeof config === 'object' ? (config as Record<string, unknown>).app_api_key : undefined;
  const keys = [key, env.CUSTOMERIO_APP_API_KEY].filter((k): k is string => typeof k === 'string');
  return [...new Set(keys.flatMap((k) => [k, k.trim()]))].filter((s) => s.length >= 8);
}

/** Where each secret occurs in `text`, also in its JSON-escaped form (as it would sit inside a JSON line). */
export function secretFindings(text: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      const at = text.indexOf(form);
      if (at >= 0) found.push(`secret found at character ${at}: …${text.slice(Math.max(0, at - 60), at).replace(secret, '<KEY>')}<KEY>…`);
    }
  }
  return found;
}

/** Keeps `text` for the suite-wide scan and throws at once when it holds a secret. */
export function keepOutput(label: string, text: string, secrets: string[]): void {
  const name = `${process.pid}-${counter++}`;
  writeFileSync(join(DIR, `${name}.out`), text);
  // The secrets go beside the outputs (never in them) so the teardown knows what to look for.
  if (secrets.length) appendFileSync(join(DIR, 'secrets.jsonl'), JSON.stringify(secrets) + '\n');
  const findings = secretFindings(text, secrets);
  if (findings.length) throw new Error(`${label}: the API key leaked into the output\n${findings.join('\n')}`);
}
