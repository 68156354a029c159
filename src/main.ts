#!/usr/bin/env node
/** Entry point of the connector (the Docker ENTRYPOINT runs this file): run the command, exit with its code. */
import { main } from './cli.js';
import { machineClock, testClock, type Clock } from './clock.js';
import { asConnectorError } from './errors.js';
import { Output } from './protocol/output.js';
import { errorMessage } from './protocol/messages.js';

const output = new Output();
let clock: Clock = machineClock;

// Whatever escapes (it should not) still ends as one protocol line, never a bare stack trace.
const die = (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  output.emit(errorMessage(`Unexpected error: ${message}`, 'system_error', clock(), { internal: error instanceof Error ? error.stack : undefined }));
  void output.flush().then(() => process.exit(1));
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);
// The platform reading slowly may close the pipe: nothing more to say, and no crash to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(1);
});

let code: number;
try {
  // For tests only: the connector's one clock set where a test wants it (the sandbox's virtual clock); see clock.ts.
  clock = testClock(process.env.CIO_TEST_CLOCK) ?? machineClock;
  code = await main(process.argv.slice(2), output, clock);
} catch (error) {
  const failure = asConnectorError(error);
  output.emit(errorMessage(failure.message, failure.failureType, clock()));
  code = 1;
}
await output.flush();
process.exitCode = code;
