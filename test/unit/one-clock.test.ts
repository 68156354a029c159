/**
 * The runners' one-clock check (src/sandbox/one-clock.ts, issue 21): which sandboxes a config points at, where
 * the connector's clock will stand, and when the two are too far apart to compare a read with the sandbox's truth.
 */
import { clockGap, connectorNow, sandboxClockEnv, sandboxesIn, trackSandbox, ONE_CLOCK_TOLERANCE_SECONDS } from '../../src/sandbox/one-clock.js';

const DAY = 86_400;
const JAN_1 = 1_767_225_600; // 2026-01-01T00:00:00Z, the sandbox's default clock
const DEC_7 = 1_796_601_600; // 2026-12-07T00:00:00Z: the day issue 21 was filed
const sandbox = (now: number, url = 'http://127.0.0.1:40001/v1') => ({ url, now: () => now });

describe('clockGap: two clocks too far apart for a read to match the sandbox', () => {
  it.each<[string, number, string | undefined, number, boolean]>([
    ["issue 21: the machine's clock 340 days after a sandbox at 2026-01-01", JAN_1, undefined, DEC_7, true],
    ["the machine's clock a year before the sandbox", JAN_1 + 365 * DAY, undefined, JAN_1, true],
    ['CIO_TEST_CLOCK at the sandbox', JAN_1, String(JAN_1), DEC_7, false],
    ['CIO_TEST_CLOCK a minute after (the tests\' now + 60)', JAN_1, String(JAN_1 + 60), DEC_7, false],
    ['CIO_TEST_CLOCK a minute and a second after', JAN_1, String(JAN_1 + 61), DEC_7, true],
    ['CIO_TEST_CLOCK as ISO-8601', JAN_1, '2026-01-01T00:00:30Z', DEC_7, false],
    ['CIO_TEST_CLOCK left at the sandbox\'s clock before a 6-hour advance', JAN_1 + 6 * 3600, String(JAN_1), DEC_7, true],
    ["a sandbox on the machine's clock (realClock)", DEC_7, undefined, DEC_7 * 1000 + 400, false],
    ['a CIO_TEST_CLOCK that is not a time (the connector refuses it itself)', JAN_1, 'tomorrow', DEC_7, false],
  ])('%s → refused: %s', (_what, sandboxNow, testClock, machineSeconds, refused) => {
    const machineMs = machineSeconds > 1e11 ? machineSeconds : machineSeconds * 1000;
    expect(clockGap([sandbox(sandboxNow)], testClock, undefined, machineMs) !== undefined).toBe(refused);
  });

  it("says which clock, how far, the sandbox's clock and both fixes", () => {
    const problem = clockGap([sandbox(JAN_1)], undefined, undefined, DEC_7 * 1000)!;
    expect(problem).toBe(
      "two clocks: the connector would run on the machine's clock (CIO_TEST_CLOCK is not set), 2026-12-07T00:00:00Z, 340.0 days after the sandbox at " +
        "http://127.0.0.1:40001/v1, whose clock stands at 2026-01-01T00:00:00Z. Its read would cover another slice of time than the sandbox's ground " +
        'truth, and the gap changes with the calendar. Put both on one clock: env CIO_TEST_CLOCK = String(sandbox.now()) (sandboxClockEnv(sandbox); ' +
        'read it again after every advance), or a sandbox on the wall clock (startSandbox({ realClock: true })). A test that means the clocks apart ' +
        'says so: clockApart: { maxSeconds, reason }.',
    );
    expect(clockGap([sandbox(JAN_1)], String(JAN_1 - 2 * 3600), undefined, DEC_7 * 1000)).toMatch(/^two clocks: the connector would run on CIO_TEST_CLOCK=\d+, 2025-12-31T22:00:00Z, 2\.0 h before the sandbox/);
  });

  it('lets a test put the connector apart on purpose, within the bound it declares, and names its reason past it', () => {
    const apart = { maxSeconds: 12 * 3600, reason: 'activities in the connector\'s future' };
    expect(clockGap([sandbox(JAN_1)], String(JAN_1 - 12 * 3600), apart, DEC_7 * 1000)).toBeUndefined();
    expect(clockGap([sandbox(JAN_1)], undefined, apart, DEC_7 * 1000)).toMatch(/The test declares the clocks apart by at most 12\.0 h \(activities in the connector's future\), and this is more\./);
    expect(clockGap([sandbox(JAN_1)], String(JAN_1), { maxSeconds: 3600, reason: ' ' }, DEC_7 * 1000)).toMatch(/^clockApart needs a reason/);
  });

  it('checks every sandbox the run points at, and none when it points at none', () => {
    expect(clockGap([sandbox(JAN_1), sandbox(DEC_7, 'http://127.0.0.1:40002/v1')], String(JAN_1), undefined, DEC_7 * 1000)).toMatch(/the sandbox at http:\/\/127\.0\.0\.1:40002\/v1/);
    expect(clockGap([], undefined, undefined, DEC_7 * 1000)).toBeUndefined();
  });

  it('allows a minute, no more, by default', () => {
    expect(ONE_CLOCK_TOLERANCE_SECONDS).toBe(60);
  });
});

describe('connectorNow: the clock the connector will run on, as src/main.ts reads it', () => {
  it.each<[string | undefined, number | undefined, string | undefined]>([
    [undefined, DEC_7, "the machine's clock (CIO_TEST_CLOCK is not set)"],
    ['', DEC_7, "the machine's clock (CIO_TEST_CLOCK is not set)"],
    [String(JAN_1), JAN_1, `CIO_TEST_CLOCK=${JAN_1}`],
    ['2026-01-01T00:00:00Z', JAN_1, 'CIO_TEST_CLOCK=2026-01-01T00:00:00Z'],
    ['soon', undefined, undefined],
  ])('%j → %s', (value, seconds, source) => {
    expect(connectorNow(value, DEC_7 * 1000)).toEqual(seconds === undefined ? undefined : { seconds, source });
  });
});

describe('sandboxesIn: the live sandboxes of this process a config points at', () => {
  const one = sandbox(JAN_1, 'http://127.0.0.1:40011/v1');
  const other = sandbox(JAN_1, 'http://127.0.0.1:40012/v1');
  let untrack: Array<() => void> = [];
  beforeEach(() => (untrack = [trackSandbox(one), trackSandbox(other)]));
  afterEach(() => untrack.forEach((stop) => stop()));

  it.each<[string, unknown, string[]]>([
    ['api_base_url', { api_base_url: 'http://127.0.0.1:40011/v1' }, [one.url]],
    ['the EU path of the same server', { api_base_url: 'http://127.0.0.1:40011/eu/v1' }, [one.url]],
    ['a region template', { api_base_url: 'http://127.0.0.1:40012/{region}/v1' }, [other.url]],
    ['a nested field (another config shape)', { credentials: { base: 'http://127.0.0.1:40012/v1' } }, [other.url]],
    ['a config file\'s text', JSON.stringify({ api_base_url: 'http://127.0.0.1:40011/v1' }), [one.url]],
    ['another port', { api_base_url: 'http://127.0.0.1:40013/v1' }, []],
    ['no URL', { app_api_key: 'k' }, []],
    ['nothing', undefined, []],
  ])('%s', (_what, config, urls) => {
    expect(sandboxesIn(config).map((s) => s.url)).toEqual(urls);
  });

  it('forgets a sandbox once it closes', () => {
    untrack[0]();
    expect(sandboxesIn({ api_base_url: one.url })).toEqual([]);
  });
});

it('sandboxClockEnv puts CIO_TEST_CLOCK where the sandbox stands, or a given number of seconds after', () => {
  expect(sandboxClockEnv(sandbox(JAN_1))).toEqual({ CIO_TEST_CLOCK: String(JAN_1) });
  expect(sandboxClockEnv(sandbox(JAN_1), 60)).toEqual({ CIO_TEST_CLOCK: String(JAN_1 + 60) });
});
