/**
 * Runs `fn` over `items` with at most `limit` in flight. After a failure no new item starts, and the promise
 * rejects with the first failure only once the items already in flight have settled: a caller that reports
 * the failure (a stream's INCOMPLETE status) must not be followed by output from work still running.
 */
export async function forEachConcurrent<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await fn(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
