/** Incremental reads as pure functions: cursor values as time, lower bounds, cursor merging, time windows. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { clientSide, entityCursor, laterCursor, lowerBound, savedCursor, serverWindows, stateProblems, timeWindows, toSeconds, UnreadableCursors } from '../../src/engine/incremental.js';
import { DAY, HOUR, MAY_1, testConfig } from './fixtures.js';

describe('toSeconds', () => {
  it.each<[unknown, number | undefined]>([
    [MAY_1, MAY_1],
    [String(MAY_1), MAY_1],
    [' 1714521600 ', MAY_1],
    ['1714521600.5', MAY_1 + 0.5],
    [0, 0],
    ['2024-05-01T00:00:00Z', MAY_1],
    ['2024-05-01T02:00:00+02:00', MAY_1],
    ['2024-05-01T00:00:00.250Z', MAY_1 + 0.25],
    ['2024-05-01T00:00:00', MAY_1],
    ['2024-05-01 00:00:00', MAY_1],
    ['2024-05-01 02:00:00+02:00', MAY_1],
    ['', undefined],
    ['   ', undefined],
    ['yesterday', undefined],
    [null, undefined],
    [undefined, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [true, undefined],
    [{ seconds: MAY_1 }, undefined],
    ['1', 1],
    ['2024-05-01', MAY_1],
    // Text Date.parse would read leniently, as times of some year (often 2001), is not a time here.
    ['March 7', undefined],
    ['1 May 2024', undefined],
    ['Wed, 01 May 2024 00:00:00 GMT', undefined],
    ['2024/05/01', undefined],
    ['page 1', undefined],
    ['2024-05-01T99:99:99Z', undefined],
  ])('reads %j as %j', (value, seconds) => {
    expect(toSeconds(value)).toBe(seconds);
  });

  it('reads a date-time without an offset as UTC whatever the machine\'s time zone', () => {
    // In another process whose zone is New York (Date.parse alone would read these four hours later), on the build.
    const module = pathToFileURL(join(PROJECT_ROOT, 'dist', 'engine', 'incremental.js')).href;
    const values = ['2024-05-01T00:00:00', '2024-05-01 00:00:00.500', '2024-05-01', '2024-05-01T00:00:00Z'];
    const script = `const { toSeconds } = await import(${JSON.stringify(module)}); console.log(JSON.stringify({ offset: new Date(2024, 4, 1).getTimezoneOffset(), seconds: ${JSON.stringify(values)}.map(toSeconds) }))`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: 'America/New_York' }, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const { offset, seconds } = JSON.parse(child.stdout);
    expect(offset).toBe(240);
    expect(seconds).toEqual([MAY_1, MAY_1 + 0.5, MAY_1, MAY_1]);
  });

  it.each(['March 7', 'Wed, 01 May 2024 00:00:00 GMT', 'page 1', '2024-05-01T00:00:00Z', MAY_1, '1714521600', null])(
    'reads %j as a record cursor exactly as it reads it in a saved state',
    (value) => {
      const usableInState = stateProblems(clientSide('updated'), { updated: value }).length === 0;
      expect(toSeconds(value) !== undefined || value === null).toBe(usableInState);
    },
  );
});

describe('UnreadableCursors', () => {
  it('reads values as toSeconds does and counts only those present but unreadable, for one WARN naming the first', () => {
    const tally = new UnreadableCursors('updated');
    const read = [MAY_1, 'March 7', '2024-05-01T00:00:00Z', null, undefined, 'soon', { at: 1 }].map((v) => tally.seconds(v));
    expect(read).toEqual([MAY_1, undefined, MAY_1, undefined, undefined, undefined, undefined]);
    expect(tally.warning('events')).toBe(
      'events: 3 records whose updated is not a unix timestamp or an ISO-8601 date-time (the first: "March 7") were emitted, but did not move the cursor',
    );
  });

  it('says nothing when every value present is a time, and speaks of one record in the singular', () => {
    const tally = new UnreadableCursors('created');
    [MAY_1, '1714521600', null].forEach((v) => tally.seconds(v));
    expect(tally.warning('messages')).toBeUndefined();
    tally.seconds('x'.repeat(200));
    expect(tally.warning('messages')).toBe(`messages: 1 record whose created is not a unix timestamp or an ISO-8601 date-time (the first: "${'x'.repeat(59)}) was emitted, but did not move the cursor`);
  });
});

describe('lowerBound', () => {
  const noStart = testConfig();
  const startMay1 = testConfig({ start_date: '2024-05-01T00:00:00Z' });

  it.each<[string, Parameters<typeof lowerBound>[0], unknown, ReturnType<typeof testConfig>, number | undefined]>([
    ['nothing without state or start_date', clientSide('updated'), undefined, noStart, undefined],
    ['start_date without state', clientSide('updated'), undefined, startMay1, MAY_1],
    ['the saved cursor when there is no lookback', clientSide('updated'), MAY_1 + DAY, noStart, MAY_1 + DAY],
    ['the saved cursor minus a fixed lookback', clientSide('updated', { lookback: HOUR }), MAY_1 + DAY, noStart, MAY_1 + DAY - HOUR],
    ['the saved cursor minus a lookback computed from it', clientSide('updated', { lookback: (s) => s % DAY }), MAY_1 + 5 * HOUR, noStart, MAY_1],
    ['the saved cursor in ISO form', clientSide('updated'), '2024-05-02T00:00:00Z', noStart, MAY_1 + DAY],
    ['start_date when the lookback reaches before it', clientSide('updated', { lookback: 2 * DAY }), MAY_1 + DAY, startMay1, MAY_1],
    ['the saved cursor when it is after start_date', clientSide('updated', { lookback: HOUR }), MAY_1 + DAY, startMay1, MAY_1 + DAY - HOUR],
    ['start_date when the saved cursor is unreadable', clientSide('updated'), 'garbage', startMay1, MAY_1],
    // A campaign last updated before start_date still exists: start_date bounds events, not things.
    ['nothing for a list of things on a first read, whatever start_date says', entityCursor('updated'), undefined, startMay1, undefined],
    ['the saved cursor of a list of things, even before start_date', entityCursor('updated', { lookback: HOUR }), MAY_1 - DAY, startMay1, MAY_1 - DAY - HOUR],
    [
      'the saved cursor minus the server windows\' lookback from the config',
      serverWindows('created', { windowSeconds: DAY, lookback: (c) => c.messagesLookbackDays * DAY, defaultStart: (now) => now - DAY }),
      MAY_1 + 40 * DAY,
      noStart,
      MAY_1 + 10 * DAY, // default messages_lookback_days: 30
    ],
  ])('is %s', (_case, strategy, saved, config, expected) => {
    expect(lowerBound(strategy, saved, config)).toBe(expected);
  });
});

describe('laterCursor', () => {
  it.each<[unknown, unknown, unknown]>([
    [MAY_1, MAY_1 + 1, MAY_1 + 1],
    [MAY_1 + 1, MAY_1, MAY_1 + 1],
    [MAY_1, MAY_1, MAY_1],
    [undefined, MAY_1, MAY_1],
    [MAY_1, undefined, MAY_1],
    [MAY_1, null, MAY_1],
    [MAY_1, 'not a time', MAY_1],
    ['not a time', MAY_1, MAY_1],
    [String(MAY_1), MAY_1 - 10, String(MAY_1)], // keeps the form the record carried
    ['2024-05-01T00:00:00Z', MAY_1 + 1, MAY_1 + 1],
    ['2024-05-02T00:00:00Z', MAY_1, '2024-05-02T00:00:00Z'],
    [undefined, undefined, undefined],
  ])('of %j and %j is %j', (a, b, expected) => {
    expect(laterCursor(a, b)).toEqual(expected);
  });

  it('never moves a cursor backwards whatever order the values come in', () => {
    const values = [MAY_1 + 50, MAY_1 + 10, MAY_1 + 90, MAY_1 + 20, 'junk', null, MAY_1 + 5];
    let cursor: unknown = MAY_1 + 30;
    for (const value of values) {
      const next = laterCursor(cursor, value);
      expect(toSeconds(next)).toBeGreaterThanOrEqual(toSeconds(cursor)!);
      cursor = next;
    }
    expect(cursor).toBe(MAY_1 + 90);
  });
});

describe('timeWindows', () => {
  it('covers a range with windows of the given size, oldest first, the last one cut at the end', () => {
    expect(timeWindows(MAY_1, MAY_1 + 2 * DAY + HOUR, DAY)).toEqual([
      { start: MAY_1, end: MAY_1 + DAY },
      { start: MAY_1 + DAY, end: MAY_1 + 2 * DAY },
      { start: MAY_1 + 2 * DAY, end: MAY_1 + 2 * DAY + HOUR },
    ]);
  });

  it('gives one window for a range shorter than the size', () => {
    expect(timeWindows(MAY_1, MAY_1 + 60, DAY)).toEqual([{ start: MAY_1, end: MAY_1 + 60 }]);
  });

  it.each([
    ['an empty range', MAY_1, MAY_1],
    ['a range that ends before it starts', MAY_1 + DAY, MAY_1],
  ])('gives no window for %s', (_case, from, to) => {
    expect(timeWindows(from, to, DAY)).toEqual([]);
  });

  it.each([0, -1, Number.NaN])('rejects a window size of %d', (size) => {
    expect(() => timeWindows(MAY_1, MAY_1 + DAY, size)).toThrow(/positive/);
  });

  it.each([
    [MAY_1, MAY_1 + 30 * DAY, 7 * DAY],
    [MAY_1 + 17, MAY_1 + 3 * DAY + 5, DAY],
    [MAY_1, MAY_1 + 1, 1],
    [MAY_1 - 0.5, MAY_1 + 100.5, 7],
  ])('covers [%d, %d) without gap or overlap in windows of at most %d s', (from, to, size) => {
    const windows = timeWindows(from, to, size);
    expect(windows[0].start).toBeLessThanOrEqual(from);
    expect(windows[windows.length - 1].end).toBeGreaterThanOrEqual(to);
    windows.forEach((w, i) => {
      expect(w.end - w.start).toBeGreaterThan(0);
      expect(w.end - w.start).toBeLessThanOrEqual(size);
      expect(Number.isInteger(w.start) && Number.isInteger(w.end)).toBe(true);
      if (i > 0) expect(w.start).toBe(windows[i - 1].end);
    });
  });
});

describe('savedCursor', () => {
  it('reads a stream-level cursor', () => {
    expect(savedCursor({ updated: MAY_1 }, clientSide('updated'), '')).toBe(MAY_1);
  });

  it('reads the cursor of one partition', () => {
    const state = { partitions: { '12': { updated: MAY_1 }, '13': { updated: MAY_1 + 1 } } };
    expect(savedCursor(state, clientSide('updated', { perPartition: true }), '13')).toBe(MAY_1 + 1);
    expect(savedCursor(state, clientSide('updated', { perPartition: true }), '14')).toBeUndefined();
  });

  it('has nothing without state', () => {
    expect(savedCursor(undefined, clientSide('updated'), '')).toBeUndefined();
  });

  it('starts a partition without a cursor of its own from the stream-level cursor beside the partitions, when there is one', () => {
    const perCampaign = clientSide('updated', { perPartition: true });
    const state = { updated: MAY_1 - 100, partitions: { '12': { updated: MAY_1 } } };
    expect(savedCursor(state, perCampaign, '12')).toBe(MAY_1);
    expect(savedCursor(state, perCampaign, '14')).toBe(MAY_1 - 100);
    expect(savedCursor({ updated: MAY_1 - 100 }, perCampaign, '14')).toBe(MAY_1 - 100);
  });
});
