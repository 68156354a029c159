/**
 * What the image may leave out: the Dockerfile drops dist/sandbox, dist/bench and dist/demo, which is safe only
 * while no module the entry point loads (statically or on demand, as `sync` and `query` are) imports them.
 * Checked here on the sources, so CI sees it without a container engine.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

const SRC = join(PROJECT_ROOT, 'src');
const LEFT_OUT = ['sandbox', 'bench', 'demo'];

/** Every source file reachable from `entry` through relative imports (`from '…'`, `import('…')`). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
      pending.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  return seen;
}

it('the connector entry point never loads the sandbox, the benchmarks or the demo', () => {
  const files = [...reachable(join(SRC, 'main.ts'))].map((f) => relative(SRC, f));
  // The walk does reach the commands loaded on demand.
  expect(files).toEqual(expect.arrayContaining(['cli.ts', 'commands.ts', 'sync/cli.ts', 'sync/query.ts']));
  expect(files.filter((f) => LEFT_OUT.includes(f.split('/')[0]))).toEqual([]);
});

it('the Dockerfile leaves out exactly those folders', () => {
  const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`rm -rf ${LEFT_OUT.map((d) => `dist/${d}`).join(' ')}`);
});
