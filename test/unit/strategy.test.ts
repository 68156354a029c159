/**
 * What each incremental strategy does with a pass, as pure functions (engine/incremental.ts): which record may
 * move the cursor, which is kept, when a newest-first pass may stop, which windows a pass reads and how far its
 * cursor may move. The read loop only applies them; these tables are their whole behaviour.
 */
import { clientSide, cursorMayAdvance, FUTURE_CURSOR_TOLERANCE, inWindow, keptBy, orderAfterPage, requestWindow, serverWindows, stopsAfterPage, windowCursor, windowsToRead, type PassOrder } from '../../src/engine/incremental.js';
import { testClock } from '../../src/clock.js';
import { WindowEdges } from '../../src/engine/windows.js';
import { cursorLike, deletionCursor } from '../../src/engine/cursors.js';
import { DAY, HOUR, MAY_1 } from './fixtures.js';

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

