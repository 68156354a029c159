/**
 * One clock for the connector and the sandbox in every run against it (issue 21). The sandbox's virtual clock
 * stands at DEFAULT_NOW (2026-01-01) unless told otherwise; the connector reads the machine's clock unless
 * CIO_TEST_CLOCK puts it elsewhere. A run with the two apart reads a different slice of time than the sandbox's
 * ground truth (`expected`) describes — and the gap grows with the calendar, so such a test passes the day it is
 * written and fails months later. The runners of the tests, demo and bench ask `clockGap` before each run and
 * refuse a run whose clocks are more than a minute apart, saying why and how to fix it.
 *
 * The sandbox knows the sandboxes of its own process by their origin (`sandboxesIn` finds those a config points
 * at), so a runner needs nothing but the config and the environment it is about to hand the connector.
 */
import { testClock } from '../clock.js';

/** Clocks this close are one: a test's `now + 60` (the newest records safely in the connector's past). */
export const ONE_CLOCK_TOLERANCE_SECONDS = 60;

/**
 * A test that means the clocks apart (a connector deliberately behind the sandbox, say) declares it: by at most
 * `maxSeconds`, for `reason` (said in any failure). A larger gap is still refused.
 */
export interface ClockApart {
  maxSeconds: number;
  reason: string;
}

/** What the check needs of a sandbox: where it serves and where its clock stands (unix seconds). */
export interface ClockedSandbox {
  url: string;
  now(): number;
}

const live = new Map<string, ClockedSandbox>();

/** Called by startSandbox / close: the sandboxes of this process, by origin (`http://127.0.0.1:PORT`). */
export function trackSandbox(sandbox: ClockedSandbox): () => void {
  const origin = new URL(sandbox.url).origin;
  live.set(origin, sandbox);
  return () => void (live.get(origin) === sandbox && live.delete(origin));
}

/** The live sandboxes of this process that any URL in `value` (a config, at any depth) points at. */
export function sandboxesIn(value: unknown): ClockedSandbox[] {
  const found = new Set<ClockedSandbox>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || v === undefined) return;
    if (typeof v === 'string') {
      if (!/^https?:\/\//i.test(v)) return;
      try {
        const sandbox = live.get(new URL(v.replace(/[{}]/g, '')).origin);
        if (sandbox) found.add(sandbox);
      } catch {
        // not a URL: nothing to check
      }
    } else if (Array.isArray(v)) v.forEach((item) => visit(item, depth + 1));
    else if (typeof v === 'object') Object.values(v as Record<string, unknown>).forEach((item) => visit(item, depth + 1));
  };
  visit(typeof value === 'string' ? safeJson(value) : value, 0);
  return [...found];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The environment that puts the connector on the sandbox's clock (`offsetSeconds` later). Re-read after every advance. */
export function sandboxClockEnv(sandbox: { now(): number }, offsetSeconds = 0): { CIO_TEST_CLOCK: string } {
  return { CIO_TEST_CLOCK: String(sandbox.now() + offsetSeconds) };
}

/**
 * Where the connector's clock will stand (unix seconds) with this CIO_TEST_CLOCK, as src/main.ts reads it, and
 * how to say so. Undefined when the value is not a time: the connector refuses it itself (a config_error).
 */
export function connectorNow(testClockValue: string | undefined, machineMs = Date.now()): { seconds: number; source: string } | undefined {
  let clock;
  try {
    clock = testClock(testClockValue, () => machineMs);
  } catch {
    return undefined;
  }
  if (!clock) return { seconds: machineMs / 1000, source: "the machine's clock (CIO_TEST_CLOCK is not set)" };
  return { seconds: clock() / 1000, source: `CIO_TEST_CLOCK=${testClockValue}` };
}

const iso = (seconds: number) => new Date(Math.round(seconds) * 1000).toISOString().replace('.000Z', 'Z');

function span(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/**
 * Why a run of the connector (its clock given by `testClockValue`, CIO_TEST_CLOCK or unset) against these
 * sandboxes would mix two clocks; undefined when they agree within ONE_CLOCK_TOLERANCE_SECONDS (or the declared
 * `apart.maxSeconds`).
 */
export function clockGap(sandboxes: ClockedSandbox[], testClockValue: string | undefined, apart?: ClockApart, machineMs = Date.now()): string | undefined {
  if (apart && (!apart.reason?.trim() || !(apart.maxSeconds >= 0))) {
    return 'clockApart needs a reason and a maxSeconds ≥ 0: say why this test runs the connector off the sandbox\'s clock, and by how much';
  }
  const connector = connectorNow(testClockValue, machineMs);
  if (!connector) return undefined;
  const allowed = Math.max(ONE_CLOCK_TOLERANCE_SECONDS, apart?.maxSeconds ?? 0);
  for (const sandbox of sandboxes) {
    const sandboxNow = sandbox.now();
    const gap = connector.seconds - sandboxNow;
    if (Math.abs(gap) <= allowed) continue;
    const declared = apart ? ` The test declares the clocks apart by at most ${span(apart.maxSeconds)} (${apart.reason}), and this is more.` : '';
    return (
      `two clocks: the connector would run on ${connector.source}, ${iso(connector.seconds)}, ${span(gap)} ${gap > 0 ? 'after' : 'before'} ` +
      `the sandbox at ${sandbox.url}, whose clock stands at ${iso(sandboxNow)}.${declared} Its read would cover another slice of time ` +
      `than the sandbox's ground truth, and the gap changes with the calendar. Put both on one clock: ` +
      `env CIO_TEST_CLOCK = String(sandbox.now()) (sandboxClockEnv(sandbox); read it again after every advance), or a sandbox on the ` +
      `wall clock (startSandbox({ realClock: true })). A test that means the clocks apart says so: clockApart: { maxSeconds, reason }.`
    );
  }
  return undefined;
}

/** clockGap for a run about to start with this config and environment; throws the reason. */
export function assertOneClock(config: unknown, env: Record<string, string | undefined>, apart?: ClockApart): void {
  const problem = clockGap(sandboxesIn(config), env.CIO_TEST_CLOCK, apart);
  if (problem) throw new Error(problem);
}
