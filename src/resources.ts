/**
 * Files shipped beside the code (spec.json, stream schemas), found from the project root so the same
 * lookup works from src/ under tsx and jest and from dist/ when built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from './protocol/messages.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'spec.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('spec.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot();

const cache = new Map<string, JsonObject>();

function readJson(path: string): JsonObject {
  let value = cache.get(path);
  if (!value) {
    value = JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
    cache.set(path, value);
  }
  return value;
}

export const loadSpec = (): JsonObject => readJson(join(PROJECT_ROOT, 'spec.json'));

/** A stream's JSON schema from src/customerio/schemas/<file>. */
export const loadSchema = (file: string): JsonObject => readJson(join(PROJECT_ROOT, 'src', 'customerio', 'schemas', file));
