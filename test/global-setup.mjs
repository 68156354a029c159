/**
 * jest globalSetup: one scratch folder for the whole run, and the temp directory of every test and every process
 * they start pointed inside it (TMPDIR: os.tmpdir() reads it on each call, and workers and CLI children inherit
 * it), so whatever a test forgets to remove is still removed by global-teardown.mjs. The reliability tests keep
 * every stdout and stderr they collect in a folder of it (support/outputs.ts) for the suite-wide secret scan.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  // Workers inherit the environment of the process that starts them.
  const root = mkdtempSync(join(tmpdir(), 'cio-test-run-'));
  process.env.CIO_TEST_SCRATCH = root;
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = root;
  process.env.CIO_RELIABILITY_OUTPUTS = join(root, 'reliability-outputs');
  mkdirSync(process.env.CIO_RELIABILITY_OUTPUTS);
}
