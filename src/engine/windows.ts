/**
 * Window scheduling for streams the API filters by time (`serverWindows`): a partition's windows are read
 * concurrently, each its own chain of pages through the one limiter, and the cursor moves only past the oldest
 * windows that are all read in full (windowCursor), so a resume never skips a window still in flight.
 */
import { forEachConcurrent } from './concurrency.js';
import { windowCursor } from './incremental.js';

export type TimeWindow = { start: number; end: number };

/**
 * Reads every window with `readWindow` (at most `concurrency` at once) and calls `advance` with the cursor each
 * time a window completes the unbroken run of complete windows from the oldest.
 */
export async function readWindows(
  windows: TimeWindow[],
  concurrency: number,
  readWindow: (window: TimeWindow) => Promise<void>,
  advance: (cursor: number) => void,
): Promise<void> {
  const complete = windows.map(() => false);
  await forEachConcurrent(windows, concurrency, async (window, index) => {
    await readWindow(window);
    complete[index] = true;
    const cursor = windowCursor(windows, complete);
    if (cursor !== undefined) advance(cursor);
  });
}
