/**
 * Asking the built CLI for help, and naming a command it does not have: the usage lists every command of the
 * command table (src/command-table.ts), so a command added there is listed without touching the text.
 */
import { ALL_COMMANDS } from '../../src/command-table.js';
import { runCli } from '../helpers/cli.js';

describe('--help, -h and help', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage on stdout, listing every command, and exits 0', async (word) => {
    const result = await runCli([word], {}, { raw: true });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^usage: source-customer-io COMMAND \[options\]\n/);
    for (const command of ALL_COMMANDS()) expect(result.stdout).toMatch(new RegExp(`\\n {2}source-customer-io ${command.name}\\b`));
    // The commands people are most likely to look for first, and the flags they take.
    for (const text of ['sync --config FILE', 'query FILE SQL', '--streams a,b,c', '--state FILE', 'CUSTOMERIO_APP_API_KEY']) expect(result.stdout).toContain(text);
  });

  it('help sync prints sync\'s own usage', async () => {
    const result = await runCli(['help', 'sync'], {}, { raw: true });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^usage: source-customer-io sync --config FILE \[--streams a,b,c \| --catalog FILE\] \[--state FILE\]/);
  });

  it('read --help keeps stdout for protocol messages: the usage goes to stderr, nothing to stdout', async () => {
    const result = await runCli(['read', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^usage: source-customer-io COMMAND/);
  });
});

describe('a command the CLI does not have', () => {
  it('is one config_error on stdout naming the commands and the nearest one, with the usage on stderr', async () => {
    const result = await runCli(['reed', '--config', 'x.json']);
    expect(result.exitCode).toBe(1);
    expect(result.messages).toHaveLength(1);
    expect(result.errors[0].failure_type).toBe('config_error');
    expect(result.errors[0].message).toBe(
      `Unknown command "reed" (did you mean "read"?): the commands are ${ALL_COMMANDS()
        .map((c) => c.name)
        .join(', ')}. Run with --help for the usage.`,
    );
    expect(result.stderr).toMatch(/^usage: source-customer-io COMMAND/);
  });

  it('no command at all is the same, listing the commands', async () => {
    const result = await runCli([]);
    expect(result.exitCode).toBe(1);
    expect(result.errors[0].message).toMatch(/^No command given: give one of spec, check, discover, read, sync, query/);
    expect(result.stderr).toMatch(/^usage:/);
  });
});
