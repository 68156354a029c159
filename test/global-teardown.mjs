/**
 * jest globalTeardown, once the whole run is over:
 * 1. the suite-wide secret check of issue 9: greps every output the reliability tests kept during this run
 *    (stdout and stderr of each CLI run and in-process run) for every API key those runs used, as written and as
 *    JSON escapes it. A leak fails the run, naming the file and the place; the scratch folder is kept then.
 * 2. removes the run's scratch folder (global-setup.mjs), naming anything a test left in it: every test removes
 *    what it creates (test/helpers/scratch.ts), this is the backstop.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function secretScan(dir) {
  if (!dir || !existsSync(dir)) return;
  const secretsFile = join(dir, 'secrets.jsonl');
  const secrets = existsSync(secretsFile)
    ? [...new Set(readFileSync(secretsFile, 'utf8').split('\n').filter(Boolean).flatMap((line) => JSON.parse(line)))]
    : [];
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))];
  const outputs = readdirSync(dir).filter((name) => name.endsWith('.out'));
  const leaks = [];
  for (const name of outputs) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const form of forms) {
      const at = text.indexOf(form);
      if (at >= 0) leaks.push(`${join(dir, name)} at character ${at}: …${text.slice(Math.max(0, at - 60), at)}<KEY>…`);
    }
  }
  if (leaks.length) throw new Error(`secret scan: an API key appears in ${leaks.length} output(s) of the reliability suite:\n${leaks.join('\n')}`);
  if (outputs.length) process.stdout.write(`\nsecret scan: ${outputs.length} outputs of the reliability suite, ${secrets.length} keys, no key found\n`);
}

export default function teardown() {
  const root = process.env.CIO_TEST_SCRATCH;
  secretScan(process.env.CIO_RELIABILITY_OUTPUTS);
  if (!root || !existsSync(root)) return;
  const left = readdirSync(root).filter((name) => name !== 'reliability-outputs');
  if (left.length) process.stdout.write(`scratch: removed ${left.length} item(s) left in the run's temp folder (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}; tools' own caches such as tsx-<uid> are expected)\n`);
  rmSync(root, { recursive: true, force: true });
}
