/**
 * The demo's reporting webhooks: the built connector's receiver (`serve-webhooks`) as a child process, its store in
 * the output folder, with a signing key and a read token made for this run; the sandbox then plays Customer.io and
 * posts its deliveries' events to it as its clock moves, and the connector reads them as the reporting_events stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { CONNECTOR, inputFile } from './steps.js';

export interface DemoReceiver {
  url: string;
  webhookUrl: string;
  signingKey: string;
  readToken: string;
  stop(): Promise<void>;
}

export const RECEIVER_FILES = ['webhooks.json', 'serve-webhooks.txt'];
export const RECEIVER_STORE = 'webhook-store';

export async function startReceiver(dir: string): Promise<DemoReceiver> {
  const signingKey = `whsec-demo-${randomBytes(16).toString('hex')}`;
  const readToken = randomBytes(24).toString('hex');
  const config = inputFile(dir, 'webhooks.json', { store_dir: join(dir, RECEIVER_STORE), host: '127.0.0.1', port: 0 });
  const child: ChildProcess = spawn(process.execPath, [CONNECTOR, 'serve-webhooks', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', CIO_WEBHOOK_SIGNING_KEYS: signingKey, CIO_WEBHOOK_READ_TOKEN: readToken },
  });
  const log = createWriteStream(join(dir, 'serve-webhooks.txt'));
  child.stderr!.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      log.write(chunk);
      const port = /listening on [^:]+:(\d+)/.exec(out)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    child.once('exit', (code) => reject(new Error(`serve-webhooks exited with ${code} before it listened (see serve-webhooks.txt)`)));
  });
  return {
    url,
    webhookUrl: `${url}/customerio/reporting-webhook`,
    signingKey,
    readToken,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => log.end(() => resolve()));
        child.kill('SIGTERM');
      }),
  };
}
