/**
 * The one sandbox of a test file: the fake Customer.io API on 127.0.0.1, started with the seed and sizes of
 * acceptance-test-config.yml (`sandbox:`), so every file, and `npm run catalogs`, sees the same data.
 */
import { createServer } from 'node:net';
import { DEFAULT_NOW, type Sandbox, type SandboxOptions } from '../../src/sandbox/types.js';
import { acceptanceConfig, type Placeholders } from './config.js';

export type { Sandbox };

/** Where the suite's one clock stands: the sandbox's frozen `now` in acceptance-test-config.yml (else its default). */
export const suiteNow = (): number => acceptanceConfig().sandbox?.now ?? DEFAULT_NOW;

/**
 * The connector's clock in every run of the suite: the sandbox's (issue 21). The sandbox's clock never moves in
 * the suite, so the connector reads the same slice of time on any day the suite runs.
 */
export const suiteClockEnv = (): { CIO_TEST_CLOCK: string } => ({ CIO_TEST_CLOCK: String(suiteNow()) });

export async function startSuiteSandbox(extra: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const { startSandbox } = await import('../../src/sandbox/index.js');
  const section = acceptanceConfig().sandbox ?? {};
  return startSandbox({
    seed: section.seed ?? 42,
    now: suiteNow(),
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
