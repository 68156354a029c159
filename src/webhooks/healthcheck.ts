/**
 * The image's HEALTHCHECK (`node dist/webhooks/healthcheck.js`; the slim image has no curl): healthy when the
 * receiver's GET /healthz answers 200 within 4 seconds. The same image runs the connector's commands (spec, read…),
 * which serve nothing: in such a container the check finds no `serve-webhooks` process and passes, so a platform
 * never marks a read unhealthy. The receiver's port comes from its --config file (default 8080).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { DEFAULTS } from './config.js';

/** The arguments of the container's `serve-webhooks` process, or undefined when none runs. */
function receiverArgs(): string[] | undefined {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = args.indexOf('serve-webhooks');
    if (at !== -1) return args.slice(at + 1);
  }
  return undefined;
}

function portOf(args: string[]): number {
  const at = args.indexOf('--config');
  const path = at !== -1 ? args[at + 1] : args.find((a) => a.startsWith('--config='))?.slice('--config='.length);
  if (!path) return DEFAULTS.port;
  try {
    const port = (JSON.parse(readFileSync(path, 'utf8')) as { port?: unknown }).port;
    return typeof port === 'number' ? port : DEFAULTS.port;
  } catch {
    return DEFAULTS.port;
  }
}

async function check(): Promise<number> {
  const args = receiverArgs();
  if (!args) return 0;
  try {
    const response = await fetch(`http://127.0.0.1:${portOf(args)}/healthz`, { signal: AbortSignal.timeout(4000) });
    process.stdout.write(`${(await response.text()).trim()}\n`);
    return response.status === 200 ? 0 : 1;
  } catch (error) {
    process.stdout.write(`no answer from the receiver: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await check();
