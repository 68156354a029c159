/**
 * Folders for the files a test writes (configs, catalogs, DuckDB files). Each test file removes the folders it
 * made once its tests are done (afterAll), so a run leaves nothing behind in the system's temp directory; jest's
 * global teardown (test/global-teardown.mjs) removes the run's whole scratch root as a backstop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty folder named `<prefix>XXXXXX` in the temp directory, removed when the test file ends. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder made so far by this test file (also called by the afterAll below). */
export function removeScratch(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// Jest gives each test file its own copy of this module, so each file's hook removes only its own folders.
if (typeof afterAll === 'function') afterAll(removeScratch);
