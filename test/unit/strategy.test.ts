/**
 * What each incremental strategy does with a pass, as pure functions (engine/incremental.ts): which record may
 * move the cursor, which is kept, when a newest-first pass may stop, which windows a pass reads and how far its
 * cursor may move. The read loop only applies them; these tables are their whole behaviour.
 */
import {
  clientSide,
  cursorMayAdvance,
  entityCursor,
  fullLookbackDue,
  FUTURE_CURSOR_TOLERANCE,
  heldCursor,
  inWindow,
  keptBy,
  orderAfterPage,
  PASS_START_MARGIN,
  passCeiling,
  readStart,
  requestWindow,
  serverWindows,
  stopsAfterPage,
  windowCursor,
  servedFrom,
  windowsToRead,
  type PassOrder,
  type ReadStart,
} from '../../src/engine/incremental.js';
import { ClientPass } from '../../src/engine/client-pass.js';
import { testClock } from '../../src/clock.js';
import { duration, Lookbacks, WindowEdges } from '../../src/engine/windows.js';
import { cursorLike, deletionCursor } from '../../src/engine/cursors.js';
import { DAY, HOUR, MAY_1, testConfig } from './fixtures.js';

const NOW = MAY_1 + 10 * DAY;

describe('cursorMayAdvance: a record cursor may become the pass maximum', () => {
  it.each<[string, number | undefined, boolean]>([
    ['a time in the past', NOW - DAY, true],
    ['the run\'s own clock', NOW, true],
    ['a time just inside the tolerance ahead', NOW + FUTURE_CURSOR_TOLERANCE, true],
    ['a time beyond the tolerance ahead', NOW + FUTURE_CURSOR_TOLERANCE + 1, false],
    ['a value that is not a time', undefined, false],
  ])('%s → %s', (_what, seconds, expected) => {
    expect(cursorMayAdvance(seconds, NOW)).toBe(expected);
  });
});

describe('keptBy: a client-side read keeps a record', () => {
  it.each<[string, number | undefined, number | undefined, boolean]>([
    ['at the lower bound', MAY_1, MAY_1, true],
    ['after it', MAY_1 + 1, MAY_1, true],
    ['before it', MAY_1 - 1, MAY_1, false],
    ['whatever its time without a bound (first read, no start_date)', MAY_1 - 365 * DAY, undefined, true],
    ['whose cursor is not a time (never lost for that)', undefined, MAY_1, true],
  ])('%s → %s', (_what, seconds, since, expected) => {
    expect(keptBy(seconds, since)).toBe(expected);
  });
});

describe('stopsAfterPage: a stopWhenOlder pass ends after a page', () => {
  const newestFirst = clientSide('timestamp', { stopWhenOlder: true });
  it.each<[string, { records: number; older: number }, boolean]>([
    ['every record older than the bound', { records: 3, older: 3 }, true],
    ['one record still inside the bound', { records: 3, older: 2 }, false],
    ['an empty page (the pass ends by itself)', { records: 0, older: 0 }, false],
  ])('%s → %s', (_what, page, expected) => {
    expect(stopsAfterPage(newestFirst, page)).toBe(expected);
  });

  it('never once the pass has shown it is not listed newest first', () => {
    expect(stopsAfterPage(newestFirst, { records: 3, older: 3 }, false)).toBe(false);
  });

  it('never for a strategy that does not stop early', () => {
    expect(stopsAfterPage(clientSide('updated'), { records: 3, older: 3 })).toBe(false);
  });
});

describe('orderAfterPage: whether a pass is still listed newest first', () => {
  it.each<[string, PassOrder, Array<number | undefined>, PassOrder]>([
    ['a first page newest first', { newestFirst: true }, [30, 20, 20, 10], { newestFirst: true, last: 10 }],
    ['a page no newer than the page before', { newestFirst: true, last: 10 }, [10, 5], { newestFirst: true, last: 5 }],
    ['a page newer than the page before', { newestFirst: true, last: 10 }, [12, 5], { newestFirst: false, last: 10, broken: { before: 10, after: 12 } }],
    ['a page rising within itself', { newestFirst: true }, [5, 7, 3], { newestFirst: false, last: 5, broken: { before: 5, after: 7 } }],
    ['cursors that are not times skipped', { newestFirst: true, last: 10 }, [undefined, 9, undefined, 8], { newestFirst: true, last: 8 }],
    ['an empty page', { newestFirst: true, last: 10 }, [], { newestFirst: true, last: 10 }],
  ])('%s', (_what, before, seconds, after) => {
    expect(orderAfterPage(before, seconds)).toEqual(after);
  });

  it('stays broken once broken, however the next pages come', () => {
    const broken: PassOrder = { newestFirst: false, last: 10, broken: { before: 10, after: 12 } };
    expect(orderAfterPage(broken, [9, 8])).toBe(broken);
  });
});

describe('windowsToRead: the windows of a server-windowed pass', () => {
  const strategy = serverWindows('created', { windowSeconds: DAY, defaultStart: (now) => now - 2 * DAY });
  // A window is a second shorter than windowSeconds: its request asks from a second before it (requestWindow).
  const W = DAY - 1;
  it.each<[string, { since?: number; startDate?: number }, Array<[number, number]>]>([
    ['from the lower bound', { since: NOW - 30 * HOUR, startDate: NOW - 10 * DAY }, [[NOW - 30 * HOUR, NOW - 30 * HOUR + W], [NOW - 30 * HOUR + W, NOW]]],
    ['from start_date on a first read', { startDate: NOW - 36 * HOUR }, [[NOW - 36 * HOUR, NOW - 36 * HOUR + W], [NOW - 36 * HOUR + W, NOW]]],
    ['from the strategy\'s default start without either', {}, [[NOW - 2 * DAY, NOW - 2 * DAY + W], [NOW - 2 * DAY + W, NOW - 2 * DAY + 2 * W], [NOW - 2 * DAY + 2 * W, NOW]]],
    ['none when the bound is the clock', { since: NOW }, []],
  ])('%s', (_what, from, expected) => {
    expect(windowsToRead(strategy, from, NOW, {}).map((w) => [w.start, w.end])).toEqual(expected);
  });

  it('asks for no span longer than windowSeconds, its windows meeting edge to edge', () => {
    const windows = windowsToRead(strategy, { since: NOW - 5 * DAY }, NOW, {});
    for (const [i, window] of windows.entries()) {
      const asked = requestWindow(window);
      expect(asked.end - asked.start).toBeLessThanOrEqual(DAY);
      expect(asked).toEqual({ start: window.start - 1, end: window.end });
      if (i > 0) expect(window.start).toBe(windows[i - 1].end);
    }
    expect([windows[0].start, windows.at(-1)!.end]).toEqual([NOW - 5 * DAY, NOW]);
  });

  it.each<[string, { since?: number; startDate?: number }, number]>([
    ['a lower bound older than the API serves', { since: NOW - 9 * DAY }, NOW - 3 * DAY],
    ['a start_date older than the API serves', { startDate: NOW - 9 * DAY }, NOW - 3 * DAY],
    ['a default start older than the API serves', {}, NOW - 2 * DAY],
    ['a lower bound within what it serves', { since: NOW - 30 * HOUR }, NOW - 30 * HOUR],
  ])('starts no earlier than the API serves (servedSeconds): %s', (_what, from, first) => {
    const served = serverWindows('created', { windowSeconds: DAY, defaultStart: (now) => now - 2 * DAY, servedSeconds: 3 * DAY });
    expect(servedFrom(served, NOW)).toBe(NOW - 3 * DAY);
    expect(windowsToRead(served, from, NOW, {})[0].start).toBe(first);
  });
});

describe('requestWindow: a window\'s request returns each of its records under every reading of the bounds', () => {
  // Two adjacent windows and records on and around their shared edge; each reading of start_ts/end_ts as the API might.
  const windows = [
    { start: 100, end: 200 },
    { start: 200, end: 300 },
  ];
  const readings: Array<[string, (t: number, start: number, end: number) => boolean]> = [
    ['both inclusive', (t, s, e) => t >= s && t <= e],
    ['start exclusive', (t, s, e) => t > s && t <= e],
    ['end exclusive', (t, s, e) => t >= s && t < e],
    ['both exclusive', (t, s, e) => t > s && t < e],
  ];
  it.each(readings)('%s: every record from the first second to the last is kept by some window, and printed once', (_reading, returns) => {
    const printed: number[] = [];
    const edges = new WindowEdges((record) => String(record.id));
    for (const window of windows) {
      const asked = requestWindow(window);
      for (let t = 99; t <= 301; t++) {
        if (returns(t, asked.start, asked.end) && inWindow(t, window) && edges.firstTime({ id: t }, t, window)) printed.push(t);
      }
    }
    // The last second (300, the read's end) is the next read's first: its request starts at 299.
    const expected = Array.from({ length: 201 }, (_, i) => 100 + i).filter((t) => t < 300 || returns(300, 199, 300));
    expect(printed.sort((a, b) => a - b)).toEqual(expected);
  });
});

describe('fullLookbackDue: whether a read re-reads the full lookback', () => {
  const EVERY = 24 * HOUR;
  it.each<[string, number | undefined, number, number, boolean]>([
    ['never read whole (a state from before, or Airbyte\'s)', undefined, NOW - HOUR, EVERY, true],
    ['read whole 23 hours ago, hourly reads: the next one is in time', NOW - 23 * HOUR, NOW - HOUR, EVERY, false],
    ['read whole 24 hours ago, hourly reads', NOW - 24 * HOUR, NOW - HOUR, EVERY, true],
    ['read whole 23 hours ago, reads every 2 hours: the next one would be late', NOW - 23 * HOUR, NOW - 2 * HOUR, EVERY, true],
    ['read whole a minute short of a day ago, daily reads (a read that started early)', NOW - EVERY + 60, NOW - EVERY + 60, EVERY, true],
    ['read whole 2 days ago, after a pause of the syncs', NOW - 2 * DAY, NOW - 2 * DAY, EVERY, true],
    ['a time in the future beyond the tolerance (a hand-edited state)', NOW + FUTURE_CURSOR_TOLERANCE + 1, NOW - HOUR, EVERY, true],
    ['a time a minute ahead (another machine\'s clock), hourly reads', NOW + 60, NOW - HOUR, EVERY, false],
    ['every read (interval 0)', NOW, NOW, 0, true],
  ])('%s → %s', (_what, last, cursor, every, expected) => {
    expect(fullLookbackDue(last, cursor, NOW, every)).toBe(expected);
  });
});

describe('readStart: where a partition\'s incremental read starts, and whether it re-reads the full lookback', () => {
  const deliveries = serverWindows('created', {
    windowSeconds: 30 * DAY,
    lookback: (config) => config.messagesLookbackDays * DAY,
    recentLookback: (config) => ({ recentSeconds: config.messagesRecentLookbackHours * HOUR, fullEverySeconds: config.messagesFullLookbackEveryHours * HOUR }),
    defaultStart: (now) => now - 365 * DAY,
  });
  const config = testConfig();
  it.each<[string, { cursor: unknown; fullLookbackAt?: unknown }, ReturnType<typeof testConfig>, ReadStart]>([
    ['a first read: everything, which covers the lookback too', { cursor: undefined }, config, { since: undefined, lookback: 'first', fullLookbackAt: NOW }],
    ['a first read with start_date', { cursor: undefined }, testConfig({ start_date: '2024-05-01T00:00:00Z' }), { since: MAY_1, lookback: 'first', fullLookbackAt: NOW }],
    ['hourly, the lookback read whole 2 hours ago: the recent 24 hours', { cursor: NOW - HOUR, fullLookbackAt: NOW - 2 * HOUR }, config, { since: NOW - 25 * HOUR, lookback: 'recent', fullDueIn: 21 * HOUR }],
    ['a cursor without the time (older state, Airbyte\'s): the full 30 days', { cursor: NOW - HOUR }, config, { since: NOW - HOUR - 30 * DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['read whole 24 hours ago: the full 30 days, back from that read', { cursor: NOW - HOUR, fullLookbackAt: NOW - 24 * HOUR }, config, { since: NOW - 24 * HOUR - 30 * DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['a hand-edited time years back: at most the longer of lookback and interval further', { cursor: NOW - HOUR, fullLookbackAt: 0 }, config, { since: NOW - HOUR - 60 * DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['a time in the future: due, from the cursor', { cursor: NOW - HOUR, fullLookbackAt: NOW + DAY }, config, { since: NOW - HOUR - 30 * DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['start_date later than the lookback\'s start', { cursor: NOW - HOUR }, testConfig({ start_date: '2024-05-08T00:00:00Z' }), { since: MAY_1 + 7 * DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['start_date later than the recent lookback\'s start', { cursor: NOW - HOUR, fullLookbackAt: NOW - 2 * HOUR }, testConfig({ start_date: '2024-05-10T12:00:00Z' }), { since: NOW - 12 * HOUR, lookback: 'recent', fullDueIn: 21 * HOUR }],
    ['a recent lookback as long as the full one: every read is full', { cursor: NOW - HOUR, fullLookbackAt: NOW - HOUR }, testConfig({ messages_lookback_days: 1 }), { since: NOW - HOUR - DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['interval 0: every read is full, as before the setting', { cursor: NOW - HOUR, fullLookbackAt: NOW - HOUR }, testConfig({ messages_full_lookback_every_hours: 0 }), { since: NOW - HOUR - 30 * DAY, lookback: 'full', fullLookbackAt: NOW }],
    ['a recent lookback of 0: from the cursor', { cursor: NOW - HOUR, fullLookbackAt: NOW - 2 * HOUR }, testConfig({ messages_recent_lookback_hours: 0 }), { since: NOW - HOUR, lookback: 'recent', fullDueIn: 21 * HOUR }],
  ])('%s', (_what, saved, cfg, expected) => {
    expect(readStart(deliveries, saved, cfg, NOW)).toEqual(expected);
  });

  it('is lowerBound, the full lookback every read, for a strategy without a recent lookback', () => {
    const plain = serverWindows('created', { windowSeconds: DAY, lookback: () => 2 * DAY, defaultStart: (now) => now - DAY });
    expect(readStart(plain, { cursor: NOW - HOUR, fullLookbackAt: NOW - HOUR }, config, NOW)).toEqual({ since: NOW - HOUR - 2 * DAY, lookback: 'full' });
    expect(readStart(clientSide('updated', { lookback: HOUR }), { cursor: NOW }, config, NOW)).toEqual({ since: NOW - HOUR, lookback: 'full' });
    expect(readStart(plain, { cursor: undefined }, config, NOW)).toEqual({ since: undefined, lookback: 'first', fullLookbackAt: undefined });
  });
});

describe('windowCursor: how far a windowed pass may move its cursor', () => {
  const windows = [{ end: 10 }, { end: 20 }, { end: 30 }];
  it.each<[string, boolean[], number | undefined]>([
    ['nothing complete', [false, false, false], undefined],
    ['a later window complete while the oldest is in flight', [false, true, true], undefined],
    ['the oldest complete', [true, false, true], 10],
    ['the two oldest complete', [true, true, false], 20],
    ['every window complete', [true, true, true], 30],
  ])('%s → %s', (_what, complete, expected) => {
    expect(windowCursor(windows, complete)).toBe(expected);
  });
});

describe('inWindow: a record belongs to its window', () => {
  const window = { start: 100, end: 200 };
  it.each<[number | undefined, boolean]>([
    [100, true],
    [150, true],
    [99, false],
    // At the end: kept here too, whatever the API does with the next window's start_ts (a duplicate, not a loss).
    [200, true],
    [201, false],
    [undefined, true],
  ])('%j → %s', (seconds, expected) => {
    expect(inWindow(seconds, window)).toBe(expected);
  });
});

describe('testClock: the clock CIO_TEST_CLOCK sets (for tests)', () => {
  const machine = () => 1_800_000_000_000;
  it.each<[string, string | undefined, number | undefined]>([
    ['unix seconds', String(MAY_1), MAY_1 * 1000],
    ['ISO-8601', '2024-05-01T00:00:00Z', MAY_1 * 1000],
    ['unset', undefined, undefined],
    ['empty', ' ', undefined],
  ])('%s', (_what, value, startsAt) => {
    expect(testClock(value, machine)?.()).toBe(startsAt);
  });

  it('runs at the machine\'s pace from where it starts', () => {
    let ms = 1_800_000_000_000;
    const clock = testClock(String(MAY_1), () => ms)!;
    ms += 1500;
    expect(clock()).toBe(MAY_1 * 1000 + 1500);
  });

  it('refuses a value that is not a time', () => {
    expect(() => testClock('tomorrow', machine)).toThrow(/CIO_TEST_CLOCK must be unix seconds or an ISO-8601 date-time, not "tomorrow"/);
  });
});

describe('cursorLike: a time written the way a cursor example writes it, never earlier', () => {
  it.each<[unknown, number, unknown]>([
    [MAY_1, MAY_1 + 0.2, MAY_1 + 1],
    [MAY_1 + 0.5, MAY_1 + 0.25, MAY_1 + 0.25],
    [String(MAY_1), MAY_1 + 10, String(MAY_1 + 10)],
    ['2024-05-01T00:00:00Z', MAY_1 + 0.2, '2024-05-01T00:00:01Z'],
    ['2024-05-01T00:00:00.000Z', MAY_1 + 0.2, '2024-05-01T00:00:00.200Z'],
    ['2024-05-01T00:00:00.000000Z', MAY_1 + 0.2, '2024-05-01T00:00:00.200000Z'],
    ['2024-05-01 00:00:00', MAY_1 + 3600, '2024-05-01 01:00:00'],
    ['2024-04-30T20:00:00-04:00', MAY_1 + 3600, '2024-04-30T21:00:00-04:00'],
    ['2024-05-01T00:00', MAY_1 + 1, '2024-05-01T00:01'],
    ['2024-05-01', MAY_1 + DAY + 5, '2024-05-02'],
    [undefined, MAY_1 + 0.5, MAY_1 + 1],
    ['March 7', MAY_1, MAY_1],
  ])('%j at %d → %j', (example, seconds, expected) => {
    expect(cursorLike(example, seconds)).toBe(expected);
  });
});

describe('deletionCursor: the cursor a deletion record carries', () => {
  it.each<[string, unknown[], number, unknown]>([
    ['the deletion time, in the form of the newest cursor seen', [MAY_1, '2024-05-02T00:00:00Z'], MAY_1 + 2 * DAY, '2024-05-03T00:00:00Z'],
    ['the newest cursor seen itself when it is later than the deletion time', [MAY_1 + 3 * DAY, MAY_1], MAY_1 + 2 * DAY, MAY_1 + 3 * DAY],
    ['integer seconds when nothing was seen', [], MAY_1 + 0.5, MAY_1 + 1],
    ['integer seconds when nothing seen is a time', ['March 7'], MAY_1, MAY_1],
  ])('%s', (_what, lastSeen, now, expected) => {
    expect(deletionCursor(lastSeen, now)).toBe(expected);
  });
});

describe('WindowEdges: a record on the edge two windows share is printed by the first that has it', () => {
  const first = { start: 100, end: 200 };
  const second = { start: 200, end: 300 };
  it('lets an edge record through once, from either window, and every other record always', () => {
    const edges = new WindowEdges((record) => (record.id === undefined ? undefined : String(record.id)));
    expect(edges.firstTime({ id: 'e' }, 200, second)).toBe(true);
    expect(edges.firstTime({ id: 'e' }, 200, first)).toBe(false);
    expect(edges.firstTime({ id: 'other' }, 200, first)).toBe(true);
    expect(edges.firstTime({ id: 'inside' }, 150, first)).toBe(true);
    expect(edges.firstTime({ id: 'inside' }, 150, first)).toBe(true);
    // Without a key it cannot be told apart: kept (a duplicate beats a loss).
    expect(edges.firstTime({}, 200, first)).toBe(true);
    expect(edges.firstTime({}, 200, second)).toBe(true);
  });
});

describe('Lookbacks: one INFO line per stream on how far before their cursors its partitions re-read', () => {
  const spans = { lookbackSeconds: 30 * DAY, recentSeconds: 24 * HOUR, fullEverySeconds: 24 * HOUR };
  const summary = (starts: ReadStart[]) => {
    const tally = new Lookbacks(spans);
    for (const start of starts) tally.note(start);
    return tally.summary('messages');
  };
  it.each<[string, ReadStart[], string | undefined]>([
    ['first reads only: nothing to say', [{ lookback: 'first' }], undefined],
    ['one full re-read', [{ lookback: 'full', since: 0 }], 'messages: re-read the full lookback (30 days before the cursor) of 1 partition, due every 24 hours'],
    [
      'recent re-reads, the soonest due named',
      [{ lookback: 'recent', fullDueIn: 5 * HOUR }, { lookback: 'recent', fullDueIn: 90 * 60 }],
      'messages: re-read 24 hours before the cursor of 2 partitions; the full lookback of these is next due in about 1.5 hours',
    ],
    [
      'both',
      [{ lookback: 'full' }, { lookback: 'full' }, { lookback: 'recent', fullDueIn: 0 }, { lookback: 'first' }],
      'messages: re-read the full lookback (30 days before the cursor) of 2 partitions, due every 24 hours, and 24 hours before the cursor of 1; the full lookback of the others is next due in about 0 minutes',
    ],
  ])('%s', (_what, starts, expected) => {
    expect(summary(starts)).toBe(expected);
  });

  it.each<[number, string]>([
    [30 * DAY, '30 days'],
    [DAY, '24 hours'],
    [HOUR, '1 hour'],
    [36 * HOUR, '36 hours'],
    [20 * 60, '20 minutes'],
    [60, '1 minute'],
  ])('says %d s as %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe('passCeiling: the latest cursor a pass over things edited in place may save', () => {
  const T = NOW - 3600;
  it.each<[string, { requestedAt: number; answeredAt?: number }, number]>([
    ['the first answer\'s Date less the margin', { requestedAt: (T + 50) * 1000, answeredAt: T * 1000 }, T - PASS_START_MARGIN],
    ['on the whole minute at or before it', { requestedAt: T * 1000, answeredAt: (T + 59) * 1000 }, T - PASS_START_MARGIN],
    ['the API\'s clock even when it is behind this machine\'s', { requestedAt: (T + 3600) * 1000, answeredAt: T * 1000 }, T - PASS_START_MARGIN],
    ['without a Date: this machine\'s clock less the allowed skew and the margin', { requestedAt: T * 1000 }, T - FUTURE_CURSOR_TOLERANCE - PASS_START_MARGIN],
  ])('%s', (_what, start, expected) => {
    expect(passCeiling(start)).toBe(expected);
  });
});

describe('heldCursor: the cursor a pass saves', () => {
  it.each<[string, unknown, number | undefined, unknown]>([
    ['its newest value when no later than the ceiling', 1000, 2000, 1000],
    ['the ceiling when the newest is later', 3000, 2000, 2000],
    ['in the newest value\'s form: numeric text', '3000', 2000, '2000'],
    ['in the newest value\'s form: ISO-8601', '2024-05-11T00:10:00Z', Date.UTC(2024, 4, 11) / 1000, '2024-05-11T00:00:00Z'],
    ['its newest value when there is no ceiling (not a list of things)', 3000, undefined, 3000],
    ['nothing when the pass saw no cursor', undefined, 2000, undefined],
  ])('%s', (_what, newest, ceiling, expected) => {
    expect(heldCursor(newest, ceiling)).toEqual(expected);
  });
});

describe('ClientPass: the maximum a pass promotes', () => {
  const T = NOW - 3600;
  const pass = (strategy: ReturnType<typeof clientSide>) => new ClientPass({ strategy, since: undefined, nowSeconds: () => NOW });
  it('is held at the start of its first page for things edited in place, whatever later pages bring', () => {
    const things = pass(entityCursor('updated'));
    things.page([{ updated: T - 7200 }], { requestedAt: T * 1000, answeredAt: T * 1000 });
    things.page([{ updated: T + 15 }], { requestedAt: (T + 20) * 1000, answeredAt: (T + 20) * 1000 });
    expect(things.maximum).toBe(T - PASS_START_MARGIN);
  });

  it('is the newest value seen for events (activities keep theirs: they are never edited)', () => {
    const events = pass(clientSide('timestamp'));
    events.page([{ timestamp: T - 7200 }], { requestedAt: T * 1000, answeredAt: T * 1000 });
    events.page([{ timestamp: T + 15 }], { requestedAt: (T + 20) * 1000, answeredAt: (T + 20) * 1000 });
    expect(events.maximum).toBe(T + 15);
  });
});
