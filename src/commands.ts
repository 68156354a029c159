/** The four protocol commands, each given parsed input and the one Output. Resolve with the exit code. */
import { configError, transientError } from './errors.js';
import { machineClock, type Clock } from './clock.js';
import { parseConfig, type Config } from './config.js';
import { loadSpec } from './resources.js';
import { errorMessage, type JsonObject } from './protocol/messages.js';
import type { Output } from './protocol/output.js';
import { stopOnSignal } from './protocol/signals.js';
import { parseConfiguredCatalog } from './protocol/catalog.js';
import { parseState, STATE_EXPECTED } from './protocol/state.js';
import { offeredStream, toAirbyteStream } from './engine/discover.js';
import { futureCursors, stateProblems } from './engine/incremental.js';
import { logTo, type ReadSink } from './engine/events.js';
import { Reader, type SelectedStream, type StreamOutcome } from './engine/read.js';
import { checkpointPolicyFromEnv, type CheckpointPolicy } from './engine/checkpoint-policy.js';
import type { HttpClient } from './engine/http.js';
import { createHttpClient, DOCS_URL } from './customerio/base.js';
import { checkConnection, keyRefusal } from './customerio/check.js';
import { futureStartDate } from './start-date.js';
import { streamsFor } from './customerio/streams/index.js';
import { carryOverStates, mirrorAliases, planAliases, withAliases, type PlannedRead } from './customerio/airbyte/index.js';
import { ConnectorError } from './errors.js';

export function runSpec(output: Output): number {
  output.emit({ type: 'SPEC', spec: { documentationUrl: DOCS_URL, connectionSpecification: loadSpec(), supportsIncremental: true } });
  return 0;
}

/** The last words of a command the platform cancelled (the same failure as a cancelled read's). */
const stoppedMessage = (what: string, at: number) => errorMessage(`The ${what} was stopped by a termination signal; run it again.`, 'transient_error', at);

export async function runCheck(rawConfig: unknown, output: Output, clock: Clock = machineClock): Promise<number> {
  // Cancelled while Customer.io has not answered yet: say so, exit 143, and print no CONNECTION_STATUS after it.
  const release = stopOnSignal(output, () => output.emit(stoppedMessage('check', clock())));
  try {
    let config: Config;
    try {
      config = parseConfig(rawConfig);
      // The streams a config defines (custom streams) are part of it: a check must not pass a config read refuses.
      streamsFor(config);
      refuseFutureStartDate(config, clock);
    } catch (error) {
      // An invalid config is a failed check, said in the check's own answer (the protocol's way).
      const message = error instanceof ConnectorError ? error.message : String(error);
      output.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message } });
      return 0;
    }
    const result = await checkConnection(config);
    output.emit({ type: 'CONNECTION_STATUS', connectionStatus: result });
    await output.flush();
    return 0;
  } finally {
    release();
  }
}

export async function runDiscover(config: Config, output: Output, clock: Clock = machineClock): Promise<number> {
  const release = stopOnSignal(output, () => output.emit(stoppedMessage('discover', clock())));
  try {
    // With Airbyte's names of two streams (people, campaigns_actions) beside this connector's: customerio/airbyte.
    output.emit({ type: 'CATALOG', catalog: { streams: withAliases(streamsFor(config)).map(toAirbyteStream) } });
    // A catalog larger than the pipe holds is written while the platform reads: a signal until then must not cut it.
    await output.flush();
    return 0;
  } finally {
    release();
  }
}

/** A start_date after the run's clock: a config_error (a read from it would find nothing). */
export function refuseFutureStartDate(config: Config, clock: Clock): void {
  const problem = futureStartDate(config.startDateSeconds, Math.floor(clock() / 1000), config.startDateGiven);
  if (problem) throw configError(problem);
}

/** What an in-process caller may bring to a read: its own HTTP client (to watch its counts), the run's clock. */
export interface ReadOptions {
  http?: HttpClient;
  /** The run's one clock, unix ms (default: the machine's). */
  clock?: Clock;
  /** When STATEs are due mid-stream (default: the defaults, or CIO_CHECKPOINT_RECORDS / CIO_CHECKPOINT_SECONDS). */
  checkpoints?: CheckpointPolicy;
}

/**
 * `read`: the catalog and state checked, then every selected stream read into `sink` (protocol/sink.ts prints
 * Airbyte messages; `sync` lands them in DuckDB). Resolves with the exit code.
 */
export async function runRead(config: Config, rawCatalog: unknown, rawState: unknown, sink: ReadSink, options: ReadOptions = {}): Promise<number> {
  const clock = options.clock ?? machineClock;
  const log = logTo(sink);
  refuseFutureStartDate(config, clock);
  // Airbyte's names of two streams are offered too, and Airbyte's states carried over: customerio/airbyte.
  const definitions = withAliases(streamsFor(config));
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const selected = parseConfiguredCatalog(rawCatalog, definitions.map(offeredStream));
  const states = carryOverStates(parseState(rawState), byName, config, (message) => log('INFO', message));
  const selectedNames = new Set(selected.map((s) => s.name));
  // Entries of streams this read does not read (no longer offered: an activity type or custom stream removed from
  // the config; or not selected today) are not its business: checked, they would fail every run until someone edits
  // the state. They are named once and left alone (no STATE is printed for them, so the platform keeps them).
  const others = [...states.keys()].filter((name) => !selectedNames.has(name));
  if (others.length) log('WARN', unreadStateWarning(others, (name) => byName.has(name)) + (others.every((n) => !byName.has(n)) && others.length === states.size ? ` None of them names a stream of this connector: is it another tool's state? ${STATE_EXPECTED}.` : ''));
  for (const [name, state] of states) {
    const definition = byName.get(name);
    if (!definition || !selectedNames.has(name)) continue;
    const problems = stateProblems(definition.incremental, state);
    if (problems.length) {
      // The stream this is about gets its statuses (started, then incomplete around the one error); nothing is read.
      const failure = configError(`The state of stream "${name}" is not usable: ${problems.join('; ')}. Reset that stream's state.`, { stream: name });
      sink.emit({ type: 'started', stream: name, at: clock() });
      sink.emit({ type: 'error', stream: name, error: failure, at: clock() });
      sink.emit({ type: 'ended', stream: name, complete: false, at: clock() });
      return 1;
    }
    const future = futureCursors(definition.incremental, state, clock() / 1000);
    if (future.length) {
      log('WARN', `The state of stream "${name}" has a cursor in the future: ${future.join('; ')}. Nothing newer will be read until then; if that is a mistake (milliseconds for seconds?), reset that stream's state.`);
    }
  }

  const started = clock();
  const http = options.http ?? createHttpClient(config, log);
  const signal: { aborted: boolean; reason?: ConnectorError } = { aborted: false };
  // A stream selected under an alias (or both names) is read once, its messages printed under each name selected.
  const reads = planAliases(selected, states, (name) => byName.get(name)?.incremental);
  for (const r of reads) if (r.printAs.length > 1) log('INFO', aliasNote(r));
  const readSink = mirrorAliases(sink, reads);
  const printedAs = new Map(reads.map((r) => [r.name, Math.max(1, r.printAs.length)]));
  const reader = new Reader({
    config,
    http,
    sink: readSink,
    clock,
    signal,
    // A 401 asks the other region once: a key of the other region is told so, as check tells it.
    authMessage: keyRefusal(config),
    checkpoints: options.checkpoints ?? checkpointPolicyFromEnv(),
  });
  const streams: SelectedStream[] = reads.map((s) => ({ definition: byName.get(s.name)!, syncMode: s.syncMode, state: s.state }));
  // A parent list that is selected too is then fetched once, for itself and for its children.
  reader.plan(streams);
  const done = new Set<string>();

  const release = stopOnSignal(readSink, () => {
    signal.aborted = true;
    // Each unfinished stream's last STATE covers every RECORD it printed (STATEs come seldom: checkpoint-policy.ts).
    reader.coverAll();
    const at = clock();
    readSink.emit({ type: 'error', error: transientError('The sync was stopped by a termination signal; the last STATE printed for each stream is where the next sync resumes.'), at });
    for (const s of streams) if (!done.has(s.definition.name)) readSink.emit({ type: 'ended', stream: s.definition.name, complete: false, at });
  });
  try {
    log('INFO', `Reading ${streams.length} stream(s) from ${new URL(config.baseUrl).host} at up to ${config.requestsPerSecond} requests/s`);
    const outcomes = await Promise.all(
      streams.map(async (s) => {
        const outcome = await reader.readStream(s);
        done.add(s.definition.name);
        return outcome;
      }),
    );
    await http.limiter.stop();
    const skew = reader.skewWarning();
    if (skew) log('WARN', skew);
    const seconds = ((clock() - started) / 1000).toFixed(1);
    log('INFO', closingLine(outcomes, reads, printedAs, `in ${seconds}s with ${http.counts.attempts} requests (${http.counts.retries} retried, ${http.counts.rateLimited} rate-limited)`));
    const failed = outcomes.filter((o) => o.error);
    if (signal.reason && !failed.some((o) => o.error === signal.reason)) {
      sink.emit({ type: 'error', error: signal.reason, at: clock() });
    }
    return failed.length || signal.aborted ? 1 : 0;
  } finally {
    release();
  }
}

/** Said once per stream selected under two names: it is read once and printed under each. */
function aliasNote(read: PlannedRead): string {
  const names = read.printAs.map((p) => p.name);
  return `${read.name} is selected under ${names.length} names (${names.join(', ')}): read once, each record printed under each name`;
}

/**
 * The read's closing line: the RECORD lines it printed, per name printed under; when a stream is printed under two
 * names, also the records read, so the two numbers are never confused.
 */
function closingLine(outcomes: StreamOutcome[], reads: PlannedRead[], printedAs: Map<string, number>, how: string): string {
  const read = outcomes.reduce((n, o) => n + o.records, 0);
  const printed = outcomes.reduce((n, o) => n + o.records * (printedAs.get(o.stream) ?? 1), 0);
  const perName = outcomes.flatMap((o) => {
    const names = reads.find((r) => r.name === o.stream)?.printAs.map((p) => p.name) ?? [];
    return (names.length ? names : [o.stream]).map((name) => `${name}=${o.records}${o.error ? ' (incomplete)' : ''}`);
  });
  const copies = printed === read ? '' : ` and printed ${printed} (${printed - read} of them again, under a second name of the same stream)`;
  return `Read ${read} records${copies} ${how}: ${perName.join(', ')}`;
}

/** The one WARN about state entries a read leaves alone, naming them (the first 10) by why. */
function unreadStateWarning(names: string[], offered: (name: string) => boolean): string {
  const list = (group: string[]) => group.slice(0, 10).map((n) => `"${n}"`).join(', ') + (group.length > 10 ? `, and ${group.length - 10} more` : '');
  const gone = names.filter((n) => !offered(n));
  const unselected = names.filter(offered);
  const parts = [
    ...(gone.length ? [`${list(gone)} (not offered with this config: a removed activity type or custom stream?)`] : []),
    ...(unselected.length ? [`${list(unselected)} (not selected in the catalog)`] : []),
  ];
  return `The state has entries for streams this read does not read: ${parts.join('; ')}. They are not checked and are left as they are.`;
}

export type { JsonObject };
