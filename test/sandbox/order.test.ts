/** The sandbox's activitiesOrder: /v1/activities newest first, oldest first or shuffled, every activity once. */
import { startSandbox } from '../../src/sandbox/index.js';
import type { ActivitiesOrder } from '../../src/sandbox/types.js';
import { walk } from './helpers.js';

describe.each<[ActivitiesOrder, (times: number[]) => boolean]>([
  ['newest_first', (times) => times.every((t, i) => i === 0 || t <= times[i - 1])],
  ['oldest_first', (times) => times.every((t, i) => i === 0 || t >= times[i - 1])],
  // Neither: old and new mixed from the first page on.
  ['shuffled', (times) => !times.every((t, i) => i === 0 || t <= times[i - 1]) && !times.every((t, i) => i === 0 || t >= times[i - 1])],
])('activities listed %s', (order, inOrder) => {
  it('pages through every activity exactly once, in that order', async () => {
    const sandbox = await startSandbox({ rateLimit: false, sizes: { activities: 700 }, activitiesOrder: order });
    try {
      const { records } = await walk(sandbox, '/activities?limit=100', 'activities');
      const ids = records.map((r) => r.id as string);
      expect(ids).toHaveLength(new Set(ids).size);
      expect(new Set(ids)).toEqual(new Set(sandbox.expected.activityIds()));
      const times = records.map((r) => r.timestamp as number);
      expect(inOrder(times)).toBe(true);
      expect(inOrder(times.slice(0, 100))).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});
