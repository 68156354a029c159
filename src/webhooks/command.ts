/**
 * `serve-webhooks [--config FILE]`: runs the reporting-webhook receiver until SIGTERM or SIGINT (then it stops taking
 * requests, lets those in progress end, and closes the store). Not a protocol command: it speaks to people — one
 * line on stdout once it listens, log lines on stderr — and every log line passes a redactor of the config's secrets
 * as a last guard (no line is built from a secret in the first place).
 */
import { parseArgs } from 'node:util';
import { ConnectorError } from '../errors.js';
import { redactorFor } from '../protocol/output.js';
import { parseReceiverConfig, secretsOf } from './config.js';
import { Receiver } from './server.js';

export const SERVE_USAGE = `usage: source-customer-io serve-webhooks [--config FILE]

  --config FILE   the receiver config (JSON): store_dir, host, port, path, retention_days, retention_bytes,
                  max_body_bytes… (docs/webhooks.md); without it, the defaults and the environment.
  Environment:    CIO_WEBHOOK_SIGNING_KEYS (comma-separated: two during a rotation), CIO_WEBHOOK_READ_TOKEN,
                  CIO_WEBHOOK_METRICS_TOKEN (optional), CIO_WEBHOOK_STORE_DIR (when the file names no store_dir).`;

export interface ServeIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export async function serveWebhooksCommand(args: string[], readJson: (path: string, what: string) => unknown, io: ServeIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let redact = (text: string) => text;
  const log = (message: string) => io.stderr.write(`serve-webhooks: ${redact(message)}\n`);
  try {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
    } catch (error) {
      throw new ConnectorError(`${(error as Error).message.split('\n')[0]}\n${SERVE_USAGE}`, 'config_error');
    }
    if (values.help) {
      io.stdout.write(`${SERVE_USAGE}\n`);
      return 0;
    }
    // No file: every setting from the environment and the defaults (the image's way: CIO_WEBHOOK_STORE_DIR is set).
    const config = parseReceiverConfig(values.config ? readJson(values.config, 'config') : {}, io.env);
    redact = redactorFor(secretsOf(config));
    const receiver = await Receiver.start(config, { log });
    const journal = receiver.holder.journal;
    io.stdout.write(
      `serve-webhooks: listening on ${config.host}:${receiver.url.split(':').pop()}, webhook path ${config.path}; ` +
        `store ${config.storeDir}${journal ? ` (id ${journal.storeId}, positions ${journal.first}–${journal.committed})` : ' (not open yet: see stderr)'}; ` +
        `${config.signingKeys.length} signing key(s); read API at /events\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log(`${signal}: stopping (requests in progress may finish)`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await receiver.close();
    log('stopped');
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`serve-webhooks: error: ${redact(message)}\n`);
    return 1;
  }
}
