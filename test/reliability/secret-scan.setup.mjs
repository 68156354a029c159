/**
 * jest globalSetup: a fresh folder for this run's outputs. The reliability tests keep every stdout and stderr
 * they collect there (support/outputs.ts), and secret-scan.teardown.mjs greps them all for the API keys.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  // Workers inherit the environment of the process that starts them.
  process.env.CIO_RELIABILITY_OUTPUTS = mkdtempSync(join(tmpdir(), 'cio-reliability-outputs-'));
}
