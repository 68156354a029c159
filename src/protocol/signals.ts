/**
 * How a protocol command ends when the platform cancels it (SIGTERM, or SIGINT at a terminal): its last
 * words after whatever is already on its way to stdout, then exit 143 — the code of a process stopped by
 * SIGTERM — once stdout has every byte. A command killed by the default action could leave half a line
 * (a catalog larger than the pipe holds, while the platform has not read it yet); this never does.
 */

/** What a stopping command writes through: its last words first, then nothing more, then everything flushed. */
export interface Closable {
  close(): void;
  flush(): Promise<void>;
}

export const SIGNAL_EXIT_CODE = 143;

/**
 * Until the returned function is called, the first SIGTERM or SIGINT calls `sayLastWords` (once; it writes them
 * through `target` and may tell the command to stop), then drops every later message and exits 143 after the
 * flush. A second signal is no longer caught here: without other listeners, its default action ends the process at once.
 */
export function stopOnSignal(target: Closable, sayLastWords: () => void): () => void {
  const release = () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  const onSignal = () => {
    release();
    sayLastWords();
    target.close();
    void target.flush().then(() => process.exit(SIGNAL_EXIT_CODE));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return release;
}
