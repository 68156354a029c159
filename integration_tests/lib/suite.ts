/**
 * What the read-based test files share: one sandbox per file, discover once per config, catalogs derived
 * from what discover printed, and reads memoized by (config, catalog, state) so checks that need the same
 * read reuse it instead of paying for it again.
 */
import { readFileSync } from 'node:fs';
import type { CliOptions, CliResult } from '../../test/helpers/cli.js';
import { configOf, readRepoJson, repoPath, secretsOf, type ConfigSource, type Placeholders } from './config.js';
import { deriveCatalog, type CatalogKind, type ConfiguredCatalog, type DiscoveredStream } from './catalogs.js';
import { cli } from './run.js';
import { placeholdersFor, startSuiteSandbox, type Sandbox } from './sandbox.js';
import type { Json } from './schema.js';

export class Suite {
  sandbox!: Sandbox;
  placeholders!: Placeholders;
  private readonly discovered = new Map<string, Promise<DiscoveredStream[]>>();
  private readonly reads = new Map<string, Promise<CliResult>>();
  private readonly secrets = new Set<string>(['sandbox-us-key', 'sandbox-eu-key']);

  /** Call in the file's top-level beforeAll/afterAll. */
  async start(): Promise<void> {
    this.sandbox = await startSuiteSandbox();
    this.placeholders = await placeholdersFor(this.sandbox);
  }

  async stop(): Promise<void> {
    await this.sandbox?.close();
  }

  config(source: ConfigSource): Record<string, unknown> {
    const config = configOf(source, this.placeholders);
    for (const secret of secretsOf(config)) this.secrets.add(secret);
    return config;
  }

  /** Every key any config of this file used: what the file's output must never contain. */
  keys = (): string[] => [...this.secrets];

  /** The streams discover prints for this config (one discover per config). */
  discover(config: Record<string, unknown>): Promise<DiscoveredStream[]> {
    const key = JSON.stringify(config);
    let pending = this.discovered.get(key);
    if (!pending) {
      pending = cli(['discover'], { config }).then((result) => {
        const catalogs = result.ofType('CATALOG');
        if (result.exitCode !== 0 || catalogs.length !== 1) {
          throw new Error(`discover failed (exit ${result.exitCode}): ${result.errors.map((e) => e.message).join('; ')}`);
        }
        return catalogs[0].catalog.streams as DiscoveredStream[];
      });
      this.discovered.set(key, pending);
    }
    return pending;
  }

  /** The case's configured catalog: its file when it names one, else derived from discover. */
  async catalog(config: Record<string, unknown>, path: string | undefined, kind: CatalogKind): Promise<ConfiguredCatalog> {
    if (path) return readRepoJson(path) as ConfiguredCatalog;
    return deriveCatalog(await this.discover(config), kind);
  }

  /** A read; the same (config, catalog, state) is read once per file unless `fresh`. */
  read(
    config: Record<string, unknown>,
    catalog: ConfiguredCatalog,
    state?: unknown,
    options: CliOptions & { fresh?: boolean } = {},
  ): Promise<CliResult> {
    const key = JSON.stringify([config, catalog, state ?? null]);
    const cached = this.reads.get(key);
    if (cached && !options.fresh) return cached;
    const pending = cli(['read'], { config, catalog, ...(state === undefined ? {} : { state }) }, { timeoutMs: 170_000, ...options });
    if (!options.onMessage && !options.env) this.reads.set(key, pending);
    return pending;
  }
}

/** Records of expected_records.jsonl (CAT's format: one `{stream, data, emitted_at}` per line). */
export function readExpectedRecords(path: string): Array<{ stream: string; data: Record<string, Json> }> {
  return readFileSync(repoPath(path), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as { stream: string; data: Record<string, Json> };
      } catch {
        throw new Error(`${path} line ${i + 1} is not JSON`);
      }
    });
}

/** Seconds for a case's timeout (jest wants ms). */
export const ms = (seconds: number | undefined, fallback = 180) => (seconds ?? fallback) * 1000;
