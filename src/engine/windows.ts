/**
 * Window scheduling for streams the API filters by time (`serverWindows`): a partition's windows are read
 * concurrently, each its own chain of pages through the one limiter, and the cursor moves only past the oldest
 * windows that are all read in full (windowCursor), so a resume never skips a window still in flight. Each window's
 * request reaches a second before it (requestWindow) and a record on an edge is printed once (WindowEdges).
 */
import { forEachConcurrent } from './concurrency.js';
import { windowCursor } from './incremental.js';
import type { Record_ } from './types.js';

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

/**
 * Records created exactly on an edge two windows share (one's end, the next one's start). Each window keeps them
 * (inWindow), since whether the API's bounds are inclusive is unknown; this remembers which edge records were
 * already printed, so one the API returns in both windows is printed once, whichever window comes first. Only
 * edge records are remembered: a handful per pass.
 */
export class WindowEdges {
  private readonly printed = new Set<string>();

  constructor(private readonly keyOf: (record: Record_) => string | undefined) {}

  /** Whether to print `record` from `window` (false: the same record was printed from the neighbouring window). */
  firstTime(record: Record_, seconds: number | undefined, window: TimeWindow): boolean {
    if (seconds !== window.start && seconds !== window.end) return true;
    const key = this.keyOf(record);
    if (key === undefined) return true;
    const edge = `${seconds} ${key}`;
    if (this.printed.has(edge)) return false;
    this.printed.add(edge);
    return true;
  }
}
