/**
 * Every CLI run of a test file goes through `cli()`: it runs the built connector as a platform does
 * (test/helpers/cli.ts: files for config, catalog and state; every stdout line parsed and validated against
 * the Airbyte protocol schema) and keeps what the process printed, so the file's last test can search all of
 * it for the API keys and re-check every line.
 */
import { runCli, type CliFiles, type CliOptions, type CliResult } from '../../test/helpers/cli.js';
import { parseProtocolLines } from '../../test/helpers/protocol.js';
import { suiteClockEnv } from './sandbox.js';

export interface Printed {
  label: string;
  stdout: string;
  stderr: string;
  killed: boolean;
}

const printed: Printed[] = [];

export async function cli(args: string[], files: CliFiles = {}, options: CliOptions = {}): Promise<CliResult> {
  const label = `${args.join(' ')}`;
  // Every run on the suite's one clock, the sandbox's (runCli refuses a run whose clock is off the sandbox's).
  const result = await runCli(args, files, { ...options, env: { ...suiteClockEnv(), ...options.env } });
  printed.push({ label, stdout: result.stdout, stderr: result.stderr, killed: result.signal !== null });
  return result;
}

/** What every run of this file printed. */
export const allPrinted = (): readonly Printed[] => printed;

/** One line per place a secret appears in any output of this file (stdout or stderr). */
export function secretLeaks(secrets: string[]): string[] {
  const leaks: string[] = [];
  for (const run of printed) {
    for (const secret of secrets) {
      for (const [streamName, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
        const at = text.indexOf(secret);
        if (at >= 0) {
          const line = text.slice(0, at).split('\n').length;
          leaks.push(`"${run.label}" printed a key on ${streamName} line ${line} (…${text.slice(Math.max(0, at - 60), at).replace(/\n/g, '\\n')}<KEY>…)`);
        }
      }
    }
  }
  return leaks;
}

/**
 * Re-checks that every stdout line of every run was one valid AirbyteMessage and nothing else (a killed
 * run may end in a partial line, which a platform discards too). Returns one problem per broken run.
 */
export function protocolProblems(): string[] {
  const problems: string[] = [];
  for (const run of printed) {
    const complete = run.killed ? run.stdout.slice(0, run.stdout.lastIndexOf('\n') + 1) : run.stdout;
    try {
      parseProtocolLines(complete);
    } catch (error) {
      problems.push(`"${run.label}": ${(error as Error).message}`);
    }
  }
  return problems;
}

/** The two checks every test file ends with. */
export function outputChecks(secrets: () => string[]): void {
  describe('everything this file printed', () => {
    it('every stdout line of every run is one AirbyteMessage carrying the field its type names, and nothing else', () => {
      expect(allPrinted().length).toBeGreaterThan(0);
      expect(protocolProblems()).toEqual([]);
    });

    it('never contains the API key, on stdout or stderr', () => {
      const keys = secrets();
      expect(keys.length).toBeGreaterThan(0);
      expect(secretLeaks(keys)).toEqual([]);
    });
  });
}
