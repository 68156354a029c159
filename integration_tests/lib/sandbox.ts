/**
 * The one sandbox of a test file: the fake Customer.io API on 127.0.0.1, started with the seed and sizes of
 * acceptance-test-config.yml (`sandbox:`), so every file, and `npm run catalogs`, sees the same data.
 */
import { createServer } from 'node:net';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/types.js';
import { acceptanceConfig, type Placeholders } from './config.js';

export type { Sandbox };

export async function startSuiteSandbox(extra: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const { startSandbox } = await import('../../src/sandbox/index.js');
  const section = acceptanceConfig().sandbox ?? {};
  return startSandbox({
    seed: section.seed ?? 42,
    ...(section.now !== undefined ? { now: section.now } : {}),
    sizes: section.sizes,
    ...(section.rate_limit !== undefined ? { rateLimit: section.rate_limit } : {}),
    ...extra,
  } as SandboxOptions);
}

/** A port on 127.0.0.1 where nothing listens (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function placeholdersFor(sandbox: Sandbox | undefined): Promise<Placeholders> {
  return {
    ...(sandbox ? { SANDBOX_URL: sandbox.url, SANDBOX_REGION_URL: sandbox.regionUrlTemplate } : {}),
    UNREACHABLE_URL: `http://127.0.0.1:${await closedPort()}/v1`,
  };
}
