/**
 * Issue 26.7, supply chain: package-lock.json pins every byte `npm ci` may install, on every platform. Each entry
 * carries its `integrity` (a hash npm checks the tarball against), the native DuckDB bindings of other platforms
 * included (an arm64 build would otherwise install native code the lock does not pin), and the packages only the
 * development tools need are marked `dev`, so `npm ci --omit=dev` (the image) leaves them out. No `resolved`:
 * the machines here are set to leave registry URLs out of locks (omit-lockfile-registry-resolved), and npm
 * fetches each package from the configured registry and checks it against `integrity` either way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

interface Entry {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, Entry> };
const entries = Object.entries(lock.packages).filter(([path]) => path !== '');

/** Where npm finds `name` for the package at `from`: the nearest node_modules up the tree. */
function locate(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
}

/** Every entry `npm ci --omit=dev` installs: reachable from the root's dependencies (optional ones included). */
function production(): Set<string> {
  const root = lock.packages[''];
  const seen = new Set<string>();
  const queue: Array<[string, string]> = Object.keys({ ...root.dependencies, ...root.optionalDependencies }).map((name) => ['', name]);
  while (queue.length) {
    const [from, name] = queue.shift()!;
    const at = locate(from, name);
    if (!at || seen.has(at)) continue;
    seen.add(at);
    const entry = lock.packages[at];
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((peer) => !entry.peerDependenciesMeta?.[peer]?.optional);
    for (const next of [...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }), ...peers]) queue.push([at, next]);
  }
  return seen;
}

describe('package-lock.json', () => {
  it('is lockfile version 3 with more than a few entries', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(entries.length).toBeGreaterThan(100);
  });

  it('pins every entry by a sha512 integrity (native bindings of every platform included)', () => {
    const unpinned = entries.filter(([, e]) => !e.link && !/^sha512-[A-Za-z0-9+/]+={0,2}$/.test(e.integrity ?? '')).map(([path]) => path);
    expect(unpinned).toEqual([]);
    for (const platform of ['linux-x64', 'linux-arm64', 'linux-arm64-musl', 'darwin-arm64', 'win32-x64']) {
      expect(lock.packages[`node_modules/@duckdb/node-bindings-${platform}`]?.integrity).toMatch(/^sha512-/);
    }
  });

  it('gives every entry its version', () => {
    expect(entries.filter(([, e]) => !e.link && !e.version).map(([path]) => path)).toEqual([]);
  });

  it('marks dev exactly the entries the production install leaves out', () => {
    const runtime = production();
    expect(runtime.has('node_modules/@duckdb/node-bindings-linux-arm64')).toBe(true);
    const wrong = entries
      .filter(([path, e]) => !e.link && (runtime.has(path) ? e.dev === true : e.dev !== true && e.devOptional !== true))
      .map(([path, e]) => `${path} (dev: ${e.dev === true}, needed at run time: ${runtime.has(path)})`);
    expect(wrong).toEqual([]);
  });
});
