/**
 * Generated bad input for the connector's commands: configs, catalogs, states and command lines, each case
 * wrong in one way and carrying a pattern its error message must match (the problem named). Drawn from a
 * seeded PRNG, so a failing case replays from the seed its test run printed.
 *
 * Every config points at `trapUrl` (a local server that counts requests): a case the connector wrongly
 * accepts shows up as a request, a successful check or a zero exit, never as a call to the internet.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliFiles } from '../../helpers/cli.js';
import { scratchDir } from '../../helpers/scratch.js';
import { hex, int, mulberry32, oddString, pick, type Random } from './prng.js';

export interface BadCase {
  name: string;
  /** Command and flags; `files` are written to temp files and appended as `--config/--catalog/--state`. */
  argv: string[];
  files: CliFiles;
  /** What the one error message (or check's FAILED message) must say. */
  problem: RegExp;
}

export interface Offered {
  name: string;
  incremental: boolean;
  cursorField?: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const named = (text: string) => new RegExp(escape(text));
const short = (value: unknown) => {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
};

/** An API key a user might paste: plain, or with characters JSON escapes (so redaction of escaped forms is exercised). */
function apiKey(random: Random): string {
  return pick(random, [
    () => `fuzz-${hex(random, 32)}`,
    () => `fuzz"quoted\\${hex(random, 20)}`,
    () => `fuzz-ключ-${hex(random, 20)}`,
    () => `  fuzz-padded-${hex(random, 20)}  `,
  ])();
}

type Json = Record<string, unknown>;
type ConfigMutation = [field: string, values: (random: Random) => unknown[], problem?: RegExp];

const notString = [42, true, null, [], {}, ['x']];
const CONFIG_MUTATIONS: ConfigMutation[] = [
  ['app_api_key', () => [42, true, null, [], {}, '', '   '], /app_api_key/],
  // Either case is a region (US/EU is what Airbyte's connector saves): these are not.
  ['region', (r) => ['mars', 'usa', 'E U', 'us-east-1', '', 7, [], {}, oddString(r)], /region/],
  // A day (2024-01-01) and unix seconds (1704067200) are start dates too; milliseconds and dates that do not exist are not.
  ['start_date', (r) => ['yesterday', '2024-13-45T00:00:00Z', '2024-02-30', '01/02/2024', 1704067200000, -1, true, {}, [], `x${oddString(r)}`], /start_date/],
  ['messages_lookback_days', () => [0, -1, 181, 1.5, '30', null, [], 1e12], /messages_lookback_days/],
  // Above the default lookback's 720 hours is bad too (the recent re-read is a part of the full one).
  ['messages_recent_lookback_hours', () => [-1, 721, 4321, 1.5, '24', true, [], {}, 1e12], /messages_recent_lookback_hours/],
  ['messages_full_lookback_every_hours', () => [-1, 721, 2.5, '24', false, [], {}, 1e12], /messages_full_lookback_every_hours/],
  ['requests_per_second', () => [0, 11, -5, '10', 2.5, null, 1e6, {}], /requests_per_second/],
  ['api_base_url', () => ['not a url', 'ftp://proxy.example.com/v1', 'file:///etc/passwd', 'javascript:alert(1)', '   ', 'http://', 'http://[::1', 42, [], {}], /api_base_url/],
  ['activity_types', () => ['event', [1, 2], [null], {}, 42], /activity_types/],
  ['activities_include_deleted', () => ['yes', 1, null, [], 'true'], /activities_include_deleted/],
  ['esp_suppression_domains', () => ['mail.example.com', ['Mail.example.com'], ['news@mail.example.com'], [''], ['localhost'], ['a.example.com', 'a.example.com'], [1], {}], /esp_suppression_domains/],
  ['activity_parsing', (r) => ['flat', 'per-type', 'PER_TYPE', 1, null, oddString(r)], /activity_parsing/],
  ['customer_attributes', () => ['email', [1], {}, 42, [null]], /customer_attributes/],
  ['metrics_period', (r) => ['day', 'years', 'Hours', 1, oddString(r)], /metrics_period/],
  ['metrics_steps', () => [0, 122, -1, 'x', 2.5, [], {}], /metrics_steps/],
  ['message_types', () => ['email', ['sms'], [1], ['EMAIL'], {}], /message_types/],
];

/** Filters that break the grammar, as JSON text and as objects; each message names customer_filter. */
function badFilter(random: Random): unknown {
  const deep = (depth: number) => '{"not":'.repeat(depth) + '{"segment":{"id":"x"}}' + '}'.repeat(depth);
  return pick(random, [
    () => '{',
    () => 'not json',
    () => '{"and":',
    () => '{}',
    () => '[]',
    () => '42',
    () => '"everyone"',
    () => '{"and":[]}',
    () => '{"segment":{"id":"x"}}',
    () => '{"attribute":{"field":"","operator":"gt"}}',
    () => '{"attribute":{"field":"plan","operator":"eq"}}',
    () => '{"foo":1}',
    () => '{"and":[{"or":[{"not":{"bar":1}}]}]}',
    () => deep(int(random, 10, 200)),
    () => deep(int(random, 5_000, 50_000)),
    () => JSON.stringify({ or: [...Array.from({ length: int(random, 100, 5000) }, (_, i) => ({ segment: { id: i } })), { segment: { id: 'last' } }] }),
    () => ({ and: [] }),
    () => ({ not: [] }),
    () => ({ segment: { id: 1 }, attribute: { field: 'x', operator: 'exists' } }),
    () => 42,
    () => [],
  ])();
}

function badCustomStreams(random: Random): [unknown, RegExp] {
  const ok = () => ({ name: `extra_${hex(random, 4)}`, path: '/subscription_topics', records_path: '$.topics[*]' });
  return pick(random, [
    () => ['topics', /custom_streams/],
    () => [{}, /custom_streams/],
    () => [[1], /custom_streams/],
    () => [[{}], /custom_streams/],
    () => [[{ ...ok(), name: 'Bad-Name' }], /custom_streams/],
    () => [[{ ...ok(), name: undefined }], /custom_streams|name/],
    () => [[{ ...ok(), path: 42 }], /custom_streams|path/],
    () => [[{ ...ok(), records_path: 'topics' }], /records_path/],
    () => [[{ ...ok(), name: 'campaigns' }], /"campaigns"/],
    () => {
      const one = ok();
      return [[one, { ...ok(), name: one.name }], named(`"${one.name}"`)];
    },
    () => [[{ ...ok(), primary_key: 'id' }], /primary_key/],
    () => [[{ ...ok(), paginated: 'yes' }], /paginated/],
  ])() as [unknown, RegExp];
}

export class BadInputGenerator {
  private readonly random: Random;
  private readonly scratch = scratchDir('cio-bad-input-');

  constructor(
    readonly seed: number,
    private readonly trapUrl: string,
    private readonly offered: Offered[],
  ) {
    this.random = mulberry32(seed);
  }

  private config(extra: Json = {}): Json {
    return { app_api_key: apiKey(this.random), api_base_url: this.trapUrl, ...extra };
  }

  private command(): 'check' | 'discover' | 'read' {
    return pick(this.random, ['check', 'discover', 'read'] as const);
  }

  private catalogFor(names: Array<{ name: string; sync_mode: string }>): Json {
    return { streams: names.map(({ name, sync_mode }) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode, destination_sync_mode: 'append' })) };
  }

  /** A config wrong in one field; the command reading it is drawn too. */
  configCase(): BadCase {
    const r = this.random;
    const family = pick(r, ['field', 'field', 'field', 'filter', 'custom', 'shape', 'text'] as const);
    const command = this.command();
    const withCatalog = (files: CliFiles): CliFiles => (command === 'read' ? { catalog: this.catalogFor([{ name: 'campaigns', sync_mode: 'full_refresh' }]), ...files } : files);
    if (family === 'field') {
      const [field, values, problem] = pick(r, CONFIG_MUTATIONS);
      const value = pick(r, values(r));
      const config = this.config({ [field]: value });
      if (r() < 0.15 && field === 'app_api_key') delete config.app_api_key;
      return { name: `${command} config ${field}=${short(config[field])}`, argv: [command], files: withCatalog({ config }), problem: problem ?? named(field) };
    }
    if (family === 'filter') {
      const filter = badFilter(r);
      return { name: `${command} config customer_filter=${short(filter)}`, argv: [command], files: withCatalog({ config: this.config({ customer_filter: filter }) }), problem: /customer_filter/ };
    }
    if (family === 'custom') {
      const [custom, problem] = badCustomStreams(r);
      return { name: `${command} config custom_streams=${short(custom)}`, argv: [command], files: withCatalog({ config: this.config({ custom_streams: custom }) }), problem };
    }
    if (family === 'shape') {
      const value = pick(r, [[], 'config', 42, null, true, [this.config()]]);
      return { name: `${command} config ${short(value)}`, argv: [command], files: withCatalog({ config: JSON.stringify(value) }), problem: /config must be a JSON object/ };
    }
    const [text, problem] = pick(r, [
      ['', /--config file .* is empty/],
      ['   \n\t', /--config file .* is empty/],
      ['{', /--config file .* not valid JSON/],
      [`{"app_api_key": "${hex(r, 16)}",}`, /--config file .* not valid JSON/],
      [`{'app_api_key': 'x'}`, /--config file .* not valid JSON/],
      ['{"app_api_key": "x" /* comment */}', /--config file .* not valid JSON/],
      [' '.repeat(int(r, 100_000, 2_000_000)) + '{', /--config file .* not valid JSON/],
      [String.fromCharCode(...Array.from({ length: 64 }, () => int(r, 1, 255))), /--config file .* (not valid JSON|is empty)/],
    ] as Array<[string, RegExp]>);
    return { name: `${command} config text ${short(text)}`, argv: [command], files: withCatalog({ config: text }), problem };
  }

  catalogCase(): BadCase {
    const r = this.random;
    const config = this.config();
    const known = pick(r, this.offered);
    const fullOnly = this.offered.filter((s) => !s.incremental);
    const incremental = this.offered.filter((s) => s.incremental);
    const unknownName = pick(r, [`nope_${hex(r, 6)}`, known.name.toUpperCase(), ` ${known.name}`, `${known.name}s`, 'ünïcödé_stream', `"${hex(r, 4)}"`, 'x'.repeat(int(r, 200, 20_000))]);
    const entry = (overrides: Json) => ({ stream: { name: known.name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'append', ...overrides });
    const [label, catalog, problem] = pick(r, [
      () => ['text {', '{', /--catalog file .* not valid JSON/],
      () => ['empty file', '', /--catalog file .* is empty/],
      () => ['null', 'null', /"streams" list/],
      () => ['a list', '[]', /"streams" list/],
      () => ['no streams', {}, /"streams" list/],
      () => ['streams not a list', { streams: pick(r, ['all', {}, null, 42]) }, /"streams" list/],
      () => ['entry not an object', { streams: [pick(r, [null, 1, 'campaigns', true])] }, /streams\[0\] is not an object|streams\[0\] has no stream.name/],
      () => ['entry without a name', { streams: [pick(r, [{}, { stream: {} }, { stream: { name: 1 } }, { stream: { name: '' } }, { stream: 'campaigns' }])] }, /streams\[0\] has no stream.name/],
      () => [`unknown stream ${short(unknownName)}`, this.catalogFor([{ name: unknownName, sync_mode: 'full_refresh' }]), named(`"${unknownName}"`)],
      () => {
        const mode = pick(r, ['INVALID', 'Incremental', 'FULL_REFRESH', '', 'append', 1, true, {}]);
        return [`sync_mode ${short(mode)}`, { streams: [entry({ sync_mode: mode })] }, /sync_mode/];
      },
      () => {
        const s = pick(r, fullOnly);
        return [`incremental on ${s.name}`, this.catalogFor([{ name: s.name, sync_mode: 'incremental' }]), named(`"${s.name}" does not support incremental`)];
      },
      () => ['the same stream twice', this.catalogFor([{ name: known.name, sync_mode: 'full_refresh' }, { name: known.name, sync_mode: 'full_refresh' }]), named(`"${known.name}" twice`)],
      () => {
        const cursor = pick(r, ['updated', 5, {}, [1], [['updated']], [null]]);
        return [`cursor_field ${short(cursor)}`, { streams: [entry({ cursor_field: cursor })] }, /cursor_field/];
      },
      () => {
        const s = pick(r, incremental);
        const field = pick(r, ['no_such_field', `x_${hex(r, 4)}`, 'id']);
        return [
          `incremental ${s.name} by cursor ${field}`,
          { streams: [{ ...entry({ sync_mode: 'incremental', cursor_field: [field] }), stream: { name: s.name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] } }] },
          new RegExp(`${escape(s.name)}.*cursor`),
        ];
      },
      () => ['destination_sync_mode not a string', { streams: [entry({ destination_sync_mode: pick(r, [1, {}, [], true]) })] }, /destination_sync_mode/],
    ] as Array<() => [string, unknown, RegExp]>)();
    return { name: `read catalog ${label}`, argv: ['read'], files: { config, catalog: catalog as CliFiles['catalog'] }, problem };
  }

  stateCase(): BadCase {
    const r = this.random;
    const config = this.config();
    const incremental = ['campaigns', 'campaign_actions', 'activities', 'messages'];
    const catalog = this.catalogFor(incremental.map((name) => ({ name, sync_mode: 'incremental' })));
    const message = (name: string, streamState: unknown) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } });
    // 'page 1' and 'x 1' are not times, though Date.parse reads them as 2001-01-01.
    const badCursor = pick(r, ['yesterday', true, {}, [], 'NaN', '', 'page 1', `x ${int(r, 1, 12)}`, `${oddString(r)}x`]);
    // Before 1970. (A cursor in the future is not bad input: it reads nothing until then, with a WARN. Nor is an
    // entry for a stream this read does not read: it is named in a WARN and left alone.)
    const badTime = pick(r, [-int(r, 1, 2e9), `${-int(r, 1, 2e9)}`, '1969-07-20T20:17:00Z']);
    const [label, state, problem] = pick(r, [
      // Not JSON, nor JSON lines (a read's STATE lines are taken). An empty file is no state (said in a WARN): not here.
      () => ['text {', '[{', /--state file .* not valid JSON/],
      () => {
        const value = pick(r, [42, '"state"', true]);
        return [`state ${short(value)}`, String(value), /state must be a JSON list/];
      },
      () => ['entry not an object', [pick(r, [1, null, 'x', []])], /state\[0\] is not an object/],
      () => {
        const type = pick(r, ['BOGUS', 'stream', 'Global', 1, '']);
        return [`message type ${short(type)}`, [{ type }], /state\[0\] has type/];
      },
      () => ['STREAM without descriptor', [pick(r, [{ type: 'STREAM', stream: {} }, { type: 'STREAM', stream: { stream_descriptor: { name: 5 } } }, { type: 'STREAM' }])], /stream_descriptor/],
      () => ['stream_state not an object', [message('campaigns', pick(r, ['x', [1], 5, true]))], /stream_state must be an object/],
      () => [`campaigns cursor ${short(badCursor)}`, [message('campaigns', { updated: badCursor })], /"campaigns".*updated/],
      () => [`campaigns cursor ${short(badTime)}`, [message('campaigns', { updated: badTime })], /"campaigns".*updated/],
      () => [`activities cursor ${short(badTime)}`, [message('activities', { partitions: { all: { timestamp: badTime } } })], /"activities".*timestamp/],
      () => [`messages cursor ${short(badCursor)}`, [message('messages', { partitions: { all: { created: badCursor } } })], /"messages".*created/],
      () => ['partitions not an object', [message('campaign_actions', { partitions: pick(r, ['x', [], 5]) })], /"campaign_actions".*partitions/],
      () => ['partition not an object', [message('campaign_actions', { partitions: { '1': pick(r, ['x', 5, null]) } })], /partitions\["1"\]/],
      () => [`partition cursor ${short(badCursor)}`, [message('campaign_actions', { partitions: { '1': { updated: badCursor } } })], /"campaign_actions".*updated/],
      () => ['ids not a list', [message('campaigns', { updated: 1_700_000_000, ids: pick(r, ['1,2', 5, {}]) })], /"campaigns".*ids/],
      () => ['legacy blob not an object', { campaigns: pick(r, ['x', 5, [1]]) }, /Legacy state for stream "campaigns"/],
      () => [`legacy cursor ${short(badCursor)}`, { campaigns: { updated: badCursor } }, /"campaigns".*updated/],
      () => [`legacy cursor ${short(badTime)}`, { campaigns: { updated: badTime } }, /"campaigns".*updated/],
      () => ['LEGACY message without data', [{ type: 'LEGACY', data: pick(r, [5, 'x', null]) }], /Legacy state/],
      () => ['GLOBAL without stream_states', [{ type: 'GLOBAL', global: pick(r, [{}, null, { stream_states: 'x' }]) }], /GLOBAL/],
      () => ['GLOBAL with a bad stream', [{ type: 'GLOBAL', global: { stream_states: [{ stream_descriptor: {} }] } }], /stream_descriptor/],
    ] as Array<() => [string, unknown, RegExp]>)();
    return { name: `read state ${label}`, argv: ['read'], files: { config, catalog, state: state as CliFiles['state'] }, problem };
  }

  argvCase(): BadCase {
    const r = this.random;
    const missing = join(this.scratch, `missing-${hex(r, 8)}`, 'input.json');
    const config = this.config();
    // (help, --help and -h print the usage.)
    const word = pick(r, ['READ', 'Spec', 'helpme', '--version', '-v', 'version', 'sync-now', 'ünïcödé', 'check;rm -rf /', hex(r, 12)]);
    const [label, argv, files, problem] = pick(r, [
      () => [`unknown command ${word}`, [word], {}, named(`Unknown command "${word}"`)],
      () => ['no command', [], {}, /No command given/],
      () => ['empty command', [''], {}, /No command given/],
      () => {
        const c = pick(r, ['check', 'discover', 'read']);
        return [`${c} without --config`, [c], {}, named(`"${c}" needs --config`)];
      },
      () => ['read without --catalog', ['read'], { config }, /"read" needs --catalog/],
      () => {
        const flag = pick(r, ['--config', '--catalog', '--state']);
        return [`${flag} without a value`, ['read', flag], {}, named(flag)];
      },
      () => {
        const flag = pick(r, ['--bogus', '--catalogue', '-c', '--debug', '--config-file']);
        return [`unknown flag ${flag}`, [pick(r, ['check', 'discover', 'read']), flag, 'x'], {}, named(flag)];
      },
      () => ['a positional argument', ['discover', 'extra'], { config }, /extra/],
      () => ['spec with an argument', ['spec', pick(r, ['extra', '--config'])], {}, /extra|--config/],
      () => {
        const flag = pick(r, ['config', 'catalog', 'state']);
        const files: CliFiles = flag === 'config' ? {} : { config };
        const base = flag === 'state' ? ['read', '--catalog', this.writeScratch(this.catalogFor([{ name: 'campaigns', sync_mode: 'full_refresh' }]))] : [flag === 'config' ? pick(r, ['check', 'discover', 'read']) : 'read'];
        const argv = flag === 'catalog' ? ['read', '--catalog', missing] : [...base, `--${flag}`, missing];
        return [`--${flag} file missing`, argv, files, named(`--${flag} file not found`)];
      },
      () => {
        const flag = pick(r, ['config', 'catalog', 'state']);
        const catalog = this.writeScratch(this.catalogFor([{ name: 'campaigns', sync_mode: 'full_refresh' }]));
        const argv = flag === 'config' ? [pick(r, ['check', 'discover', 'read']), '--config', this.scratch] : flag === 'catalog' ? ['read', '--catalog', this.scratch] : ['read', '--catalog', catalog, '--state', this.scratch];
        return [`--${flag} a directory`, argv, flag === 'config' ? {} : { config }, named(`--${flag} ${this.scratch} is a directory`)];
      },
      () => ['--config /dev/null', ['discover', '--config', '/dev/null'], {}, /--config file \/dev\/null is empty/],
    ] as Array<() => [string, string[], CliFiles, RegExp]>)();
    return { name: `argv ${label}`, argv, files, problem };
  }

  private writeScratch(value: unknown): string {
    const path = join(this.scratch, `catalog-${hex(this.random, 8)}.json`);
    writeFileSync(path, JSON.stringify(value));
    return path;
  }

  /** `count` cases, families in proportion; names numbered so a failure points at its case. */
  cases(count: number): BadCase[] {
    const families = [() => this.configCase(), () => this.configCase(), () => this.catalogCase(), () => this.stateCase(), () => this.argvCase()];
    return Array.from({ length: count }, (_, i) => {
      const c = pick(this.random, families)();
      return { ...c, name: `#${i} ${c.name}` };
    });
  }
}
