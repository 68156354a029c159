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
  // Every test talks to a local server (the sandbox, nock, a loopback server): the operator's permission for a
  // private network (src/engine/egress.ts PRIVATE_NETWORK_ENV), for in-process runs and every child they start.
  // Tests of the refusal take it away in their own child's environment.
  process.env.CIO_ALLOW_PRIVATE_NETWORK = '1';
  mkdirSync(process.env.CIO_RELIABILITY_OUTPUTS);
}
