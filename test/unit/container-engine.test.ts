/** How the image test (test/image) decides whether it can run: which container engine, or why none. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseImageOf, buildBase, findContainerEngine, unpinned, type Exec, type RunOutput } from '../helpers/container.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const ok: RunOutput = { code: 0, stdout: '', stderr: '' };
const missing = (program: string): RunOutput => ({ code: null, stdout: '', stderr: `${program}: spawn ${program} ENOENT` });

/** A fake machine: what each `<program> <first argument>` answers; anything else is not installed. */
function machine(answers: Record<string, RunOutput>): Exec & { calls: string[] } {
  const calls: string[] = [];
  const exec = (async (program: string, args: string[]) => {
    calls.push(`${program} ${args.join(' ')}`);
    return answers[`${program} ${args[0]}`] ?? missing(program);
  }) as Exec & { calls: string[] };
  exec.calls = calls;
  return exec;
}

const BASE = 'node:20-bookworm-slim';

describe('finding a container engine', () => {
  it('uses docker when it answers info and runs the base image', async () => {
    const exec = machine({ 'docker info': ok, 'docker run': ok });
    expect(await findContainerEngine({}, BASE, exec)).toEqual({ found: true, cli: 'docker' });
    expect(exec.calls).toEqual(['docker info', `docker run --rm --entrypoint node ${BASE} -e `]);
  });

  it('falls back to podman when the docker CLI has no daemon', async () => {
    const exec = machine({ 'docker info': { code: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' }, 'podman info': ok, 'podman run': ok });
    expect(await findContainerEngine({}, BASE, exec)).toEqual({ found: true, cli: 'podman' });
  });

  it('skips, naming each reason, when none can run a container', async () => {
    const exec = machine({
      'docker info': { code: 1, stdout: '', stderr: '\nCannot connect to the Docker daemon at unix:///var/run/docker.sock.\n' },
      'podman info': ok,
      'podman run': { code: 126, stdout: '', stderr: 'Error: runc create failed: error setting rlimits\n' },
    });
    const search = await findContainerEngine({}, BASE, exec);
    expect(search).toEqual({
      found: false,
      reason:
        'no container engine: `docker info` failed (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.); ' +
        '`podman` answers `info` but cannot run node:20-bookworm-slim (Error: runc create failed: error setting rlimits). ' +
        'Set CIO_CONTAINER_CLI to a docker-compatible command to run it',
    });
  });

  it('skips when neither program is installed (CI)', async () => {
    const search = await findContainerEngine({}, BASE, machine({}));
    expect(search).toMatchObject({ found: false, reason: expect.stringMatching(/^no container engine: `docker info` failed \(docker: spawn docker ENOENT\); `podman info` failed/) });
  });

  it('uses only the command CIO_CONTAINER_CLI names', async () => {
    const exec = machine({ '/opt/stand-in/docker info': ok, '/opt/stand-in/docker run': ok, 'docker info': ok, 'docker run': ok });
    expect(await findContainerEngine({ CIO_CONTAINER_CLI: '/opt/stand-in/docker' }, BASE, exec)).toEqual({ found: true, cli: '/opt/stand-in/docker' });
    expect(exec.calls.every((call) => call.startsWith('/opt/stand-in/docker '))).toBe(true);
  });

  it('reports a CIO_CONTAINER_CLI that does not work as broken (a failure), not as a reason to skip', async () => {
    const search = await findContainerEngine({ CIO_CONTAINER_CLI: 'nerdctl' }, BASE, machine({ 'docker info': ok, 'docker run': ok }));
    expect(search).toEqual({ found: false, broken: 'CIO_CONTAINER_CLI=nerdctl: `nerdctl info` failed (nerdctl: spawn nerdctl ENOENT)' });
  });
});

describe('the base image', () => {
  it('is the FROM of the last stage of a multi-stage Dockerfile', () => {
    const dockerfile = 'FROM node:20 AS build\nRUN npm ci\nfrom node:20-slim AS deps\n\nFROM node:20-bookworm-slim\nUSER node\n';
    expect(baseImageOf(dockerfile)).toBe('node:20-bookworm-slim');
  });

  it('is refused when there is no FROM', () => {
    expect(() => baseImageOf('USER node\n')).toThrow(/no FROM/);
  });

  it('is a build argument\'s default when FROM names one', () => {
    expect(baseImageOf('ARG NODE_IMAGE=node:20@sha256:' + 'a'.repeat(64) + '\nFROM ${NODE_IMAGE} AS build\nFROM ${NODE_IMAGE}\n')).toBe(`node:20@sha256:${'a'.repeat(64)}`);
    expect(() => baseImageOf('ARG NODE_IMAGE\nFROM $NODE_IMAGE\n')).toThrow(/NODE_IMAGE, which has no default/);
  });

  it('is, in this project\'s Dockerfile, the official node:20-bookworm-slim pinned by digest in every stage', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    expect(baseImageOf(dockerfile)).toMatch(/^node:20-bookworm-slim@sha256:[0-9a-f]{64}$/);
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
    expect(froms).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}', '${NODE_IMAGE}']);
  });
});

describe('the base a build uses', () => {
  const PINNED = `node:20-bookworm-slim@sha256:${'b'.repeat(64)}`;
  const runs = (images: string[]): Exec => (async (_program: string, args: string[]) => (images.includes(args[4]) ? ok : { code: 125, stdout: '', stderr: 'manifest unknown' })) as Exec;

  it('is the pinned one when the engine can pull and run it', async () => {
    expect(await buildBase('docker', PINNED, runs([PINNED]))).toEqual({ image: PINNED, pinned: true });
  });

  it('is the local image of the same tag when only that runs (the stand-in), and says it is not the pinned one', async () => {
    expect(unpinned(PINNED)).toBe('node:20-bookworm-slim');
    expect(await buildBase('docker', PINNED, runs(['node:20-bookworm-slim']))).toEqual({ image: 'node:20-bookworm-slim', pinned: false });
  });

  it('is neither when neither runs', async () => {
    await expect(buildBase('docker', PINNED, runs([]))).rejects.toThrow(/can run neither/);
  });

  it('lets an engine that runs only the local tag be found', async () => {
    const exec = (async (_program: string, args: string[]) => (args[0] === 'info' || args[4] === 'node:20-bookworm-slim' ? ok : { code: 125, stdout: '', stderr: 'no such image' })) as Exec;
    expect(await findContainerEngine({ CIO_CONTAINER_CLI: 'stand-in' }, PINNED, exec)).toEqual({ found: true, cli: 'stand-in' });
  });
});
