/**
 * How a protocol command ends when the platform cancels it (SIGTERM, or SIGINT at a terminal): its last
 * words after whatever is already on its way to stdout, then exit 143 — the code of a process stopped by
 * SIGTERM — once stdout has every byte. A command killed by the default action could leave half a line
 * (a catalog larger than the pipe holds, while the platform has not read it yet); this never does.
 */
import type { AirbyteMessage } from './messages.js';
import type { Output } from './output.js';

export const SIGNAL_EXIT_CODE = 143;

/**
 * Until the returned function is called, the first SIGTERM or SIGINT calls `lastWords` (once; it may also tell
 * the command to stop), prints what it returns, drops every later message, and exits 143 after the flush.
 * A second signal is no longer caught here: without other listeners, its default action ends the process at once.
 */
export function stopOnSignal(output: Output, lastWords: () => AirbyteMessage[]): () => void {
  const release = () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  const onSignal = () => {
    release();
    for (const message of lastWords()) output.emit(message);
    output.close();
    void output.flush().then(() => process.exit(SIGNAL_EXIT_CODE));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return release;
}
