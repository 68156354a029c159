/** forEachConcurrent: bounded parallelism for partitions, and a failure that waits for work in flight. */
import { forEachConcurrent } from '../../src/engine/concurrency.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('forEachConcurrent', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < item % 3; i++) await tick();
      inFlight--;
      done.push(item);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await forEachConcurrent([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });

  it('starts no new item after a failure and rejects with the first failure once the items in flight have settled', async () => {
    const events: string[] = [];
    const run = forEachConcurrent(['fails', 'slow', 'later-fails', 'never'], 3, async (item) => {
      events.push(`start ${item}`);
      if (item === 'fails') throw new Error('first');
      for (let i = 0; i < 5; i++) await tick();
      events.push(`end ${item}`);
      if (item === 'later-fails') throw new Error('second');
    });
    await expect(run).rejects.toThrow('first');
    expect(events).toEqual(['start fails', 'start slow', 'start later-fails', 'end slow', 'end later-fails']);
  });
});
