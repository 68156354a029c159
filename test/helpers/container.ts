/**
 * A container engine for the image test, when this machine has one that works: the command named by
 * CIO_CONTAINER_CLI, else `docker`, else `podman` from PATH. "Works" means it answers `info` and can run a
 * container of the Dockerfile's base image (a docker CLI without a daemon answers neither; a podman whose
 * runtime cannot start containers answers `info` only). Without one, the image test is skipped and says why.
 */
import { spawn } from 'node:child_process';

export interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (never rejects: a missing program is exit code null with the reason on stderr). */
export type Exec = (program: string, args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }) => Promise<RunOutput>;

export type EngineSearch =
  | { found: true; cli: string }
  /** None on this machine: the test is skipped, naming `reason`. */
  | { found: false; reason: string }
  /** CIO_CONTAINER_CLI names one that does not work: a failure, not a skip (someone asked for the test to run). */
  | { found: false; broken: string };

const firstLine = (text: string) => text.trim().split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 200) ?? '';

/** Why `cli` cannot build and run the image, or undefined when it can. */
async function problemOf(cli: string, baseImage: string, exec: Exec): Promise<string | undefined> {
  const info = await exec(cli, ['info'], { timeoutMs: 60_000 });
  if (info.code !== 0) return `\`${cli} info\` failed${info.stderr ? ` (${firstLine(info.stderr)})` : ''}`;
  // May pull the base image: the build needs it anyway. A local image of the same tag will do (buildBase).
  const run = await exec(cli, ['run', '--rm', '--entrypoint', 'node', baseImage, '-e', ''], { timeoutMs: 600_000 });
  if (run.code === 0) return undefined;
  const tag = unpinned(baseImage);
  if (tag !== baseImage && (await exec(cli, ['run', '--rm', '--entrypoint', 'node', tag, '-e', ''], { timeoutMs: 600_000 })).code === 0) return undefined;
  return `\`${cli}\` answers \`info\` but cannot run ${baseImage}${run.stderr ? ` (${firstLine(run.stderr)})` : ''}`;
}

export async function findContainerEngine(env: NodeJS.ProcessEnv, baseImage: string, exec: Exec = execFile): Promise<EngineSearch> {
  const named = env.CIO_CONTAINER_CLI?.trim();
  if (named) {
    const problem = await problemOf(named, baseImage, exec);
    return problem ? { found: false, broken: `CIO_CONTAINER_CLI=${named}: ${problem}` } : { found: true, cli: named };
  }
  const problems: string[] = [];
  for (const cli of ['docker', 'podman']) {
    const problem = await problemOf(cli, baseImage, exec);
    if (!problem) return { found: true, cli };
    problems.push(problem);
  }
  return { found: false, reason: `no container engine: ${problems.join('; ')}. Set CIO_CONTAINER_CLI to a docker-compatible command to run it` };
}

/** The image the Dockerfile's last stage starts from, a build argument (`FROM ${NODE_IMAGE}`) read as its default. */
export function baseImageOf(dockerfile: string): string {
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
  if (!froms.length) throw new Error('the Dockerfile has no FROM line');
  const last = froms[froms.length - 1];
  const arg = /^\$\{?(\w+)\}?$/.exec(last)?.[1];
  if (!arg) return last;
  const value = new RegExp(`^ARG\\s+${arg}=(\\S+)`, 'm').exec(dockerfile)?.[1];
  if (!value) throw new Error(`the Dockerfile's FROM names the build argument ${arg}, which has no default`);
  return value;
}

/** A reference without its digest (`node:20-bookworm-slim@sha256:…` → `node:20-bookworm-slim`). */
export const unpinned = (image: string): string => image.replace(/@sha256:[0-9a-f]{64}$/, '');

/**
 * The base to build on with `cli`: the Dockerfile's pinned one when the engine can run it (it pulls it if need be);
 * else, when only a local image of the same tag runs (the podman stand-in, which rebuilds the tag from Debian's
 * packages where Docker Hub cannot be reached, so no image of it can ever have the official digest), that one,
 * passed to the build as NODE_IMAGE and said in the test's output.
 */
export async function buildBase(cli: string, pinned: string, exec: Exec = execFile, env?: NodeJS.ProcessEnv): Promise<{ image: string; pinned: boolean }> {
  const runs = async (image: string) => (await exec(cli, ['run', '--rm', '--entrypoint', 'node', image, '-e', ''], { timeoutMs: 600_000, env })).code === 0;
  if (await runs(pinned)) return { image: pinned, pinned: true };
  const tag = unpinned(pinned);
  if (tag !== pinned && (await runs(tag))) return { image: tag, pinned: false };
  throw new Error(`${cli} can run neither ${pinned} nor ${tag}`);
}

export const execFile: Exec = (program, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${program}: ${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
