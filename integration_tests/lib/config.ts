/**
 * acceptance-test-config.yml: the cases of the contract suite, in the format of Airbyte's Connector
 * Acceptance Tests (CAT), plus a few sections CAT does not have (sandbox, resume, bad_input). Every test
 * file reads its section from here, so adding a case is editing the yml, not the code.
 *
 * Config files may hold placeholders the suite fills in at run time:
 *   ${SANDBOX_URL}         the sandbox's US base URL (http://127.0.0.1:PORT/v1)
 *   ${SANDBOX_REGION_URL}  the sandbox's URL template with {region} (lets `check` try the other region)
 *   ${UNREACHABLE_URL}     a URL on 127.0.0.1 where nothing listens
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../test/helpers/cli.js';

export const ACCEPTANCE_CONFIG_PATH = join(PROJECT_ROOT, 'integration_tests', 'acceptance-test-config.yml');

export interface Bypass {
  bypass_reason: string;
}

export interface NamedBypass {
  name: string;
  bypass_reason: string;
}

/** Where a case's config comes from: a file, changed by `config_overrides`. */
export interface ConfigSource {
  config_path: string;
  config_overrides?: Record<string, unknown>;
}

/** Sandbox fault rules (see src/sandbox/types.ts FaultRule), as data. */
export type FaultSpec = Record<string, unknown> & { kind: string };

export interface SpecCase {
  spec_path: string;
  config_path?: string;
  /** Dockerfile and metadata.yaml, for the image checks (CAT reads them from the built image). */
  dockerfile_path?: string;
  metadata_path?: string;
}

export interface ConnectionCase extends ConfigSource {
  status: 'succeed' | 'failed' | 'exception';
  /** Regular expression the CONNECTION_STATUS message (or the error trace) must match. */
  message_pattern?: string;
  /** Faults the sandbox injects during this case. */
  faults?: FaultSpec[];
  description?: string;
}

export interface DiscoveryCase extends ConfigSource {
  /** CAT's validate_primary_keys_data_type (default true). */
  validate_primary_keys_data_type?: boolean;
  /**
   * Not CAT: streams whose schema types the values of a map with an `additionalProperties` schema (CAT wants
   * `true` wherever it is set), each with the reason. `false` is never accepted.
   */
  additional_properties_schemas?: NamedBypass[];
}

export interface ExpectRecords {
  path: string;
  /** Streams the file has no records for (their keys do not follow from the seed), each with the reason. */
  exclude_streams?: NamedBypass[];
}

export interface BasicReadCase extends ConfigSource {
  /** Absent: every stream discover returns, in full refresh (CAT's behaviour at high strictness). */
  configured_catalog_path?: string;
  empty_streams?: NamedBypass[];
  expect_records?: ExpectRecords;
  /** Records may not carry fields their schema does not declare (CAT default: true). */
  fail_on_extra_columns?: boolean;
  /** A catalog with an unknown stream and sync mode INVALID must end with a TRACE ERROR. */
  expect_trace_message_on_failure?: boolean;
  timeout_seconds?: number;
}

export interface FullRefreshCase extends ConfigSource {
  configured_catalog_path?: string;
  timeout_seconds?: number;
}

export interface IncrementalCase extends ConfigSource {
  /** Absent: every stream discover offers incremental for, in incremental mode. */
  configured_catalog_path?: string;
  future_state?: { future_state_path: string; missing_streams?: NamedBypass[] };
  /** Seconds a stream re-reads before its saved cursor (default 0). */
  lookback_seconds?: Record<string, number>;
  /** Per-partition state: the record field that names a record's partition (e.g. campaign_id). */
  partition_fields?: Record<string, string>;
  /** Intermediate checkpoints to re-read from (CAT's sequential slices); default 5. */
  checkpoints?: number;
  /** Re-read from the final state in the legacy single-object form too (default true). */
  legacy_state?: boolean;
  timeout_seconds?: number;
}

export interface ResumeCase extends ConfigSource {
  description: string;
  /** SIGKILL the read once it has printed this many STATE messages. */
  kill_after_states?: number;
  /** Or: the sandbox injects these faults into the first read (which must then fail). */
  faults?: FaultSpec[];
  /** Environment of the first read (e.g. fewer retries so a fault ends it quickly). */
  env?: Record<string, string>;
  /** `mixed` (default): incremental where a stream offers it, else full refresh. */
  catalog?: 'mixed' | 'incremental' | 'full_refresh';
}

/** One file given to the CLI in a bad-input case. */
export interface InputSpec {
  /** A file in the repository (placeholders filled in). */
  path?: string;
  /** Merged into the JSON of `path` (null deletes a key). */
  overrides?: Record<string, unknown>;
  /** The JSON value itself. */
  json?: unknown;
  /** The raw text of the file. */
  text?: string;
  /** Give a path where no file is. */
  missing?: boolean;
  /** Give a directory instead of a file. */
  directory?: boolean;
  /** A catalog of these streams, as discover describes them (unknown names get a minimal entry). */
  select?: Array<{ name: string; sync_mode?: string }>;
}

export interface BadInputCase {
  name: string;
  /** The command line; absent: `read` (with the flags of the files below). */
  argv?: string[];
  config?: InputSpec | 'default' | 'none';
  catalog?: InputSpec | 'default' | 'none';
  state?: InputSpec;
  /** The TRACE ERROR message must match this regular expression (the problem it names). */
  message_pattern: string;
  failure_type?: string;
}

/** Not CAT: a connection moved over from Airbyte's own Customer.io connector, with the files it would hold. */
export interface AirbyteMigrationCase extends ConfigSource {
  /** The catalog the connection saved: Airbyte's stream names, keys and cursors. */
  configured_catalog_path: string;
  /** The columns Airbyte's connector declares per stream (name → JSON type), which discover must declare compatibly. */
  columns_path: string;
  /** Columns declared here with a wider type than Airbyte's, each with the reason (the README says it too). */
  wider_columns?: Array<{ stream: string; field: string; bypass_reason: string }>;
  /** metadata.yaml must carry this definitionId: Airbyte's for Customer.io. */
  metadata_path: string;
  definition_id: string;
  /** A state far in the future in Airbyte's shapes: reads nothing. */
  abnormal_state_path: string;
  /** States in the shapes Airbyte's connector writes: each continues without loss, re-reading only the lookback. */
  states: Array<{ path: string; description: string }>;
  /** Seconds Airbyte's connector re-read before a saved cursor, per stream (default 0). */
  lookback_seconds: Record<string, number>;
  /** Per-parent streams: the record field that names the parent of a partition. */
  partition_fields: Record<string, string>;
  timeout_seconds?: number;
}

export interface SandboxSection {
  seed?: number;
  /** Virtual clock of the sandbox (unix seconds). */
  now?: number;
  sizes?: Record<string, number>;
  rate_limit?: false | { perSecond: number; retryAfter?: boolean };
}

type Section<T> = { tests: T[] } | Bypass;

export interface AcceptanceConfig {
  connector_image: string;
  test_strictness_level: 'high' | 'low';
  sandbox: SandboxSection;
  acceptance_tests: {
    spec: Section<SpecCase>;
    connection: Section<ConnectionCase>;
    discovery: Section<DiscoveryCase>;
    basic_read: Section<BasicReadCase>;
    full_refresh: Section<FullRefreshCase>;
    incremental: Section<IncrementalCase>;
    resume: Section<ResumeCase>;
    bad_input: Section<BadInputCase>;
    airbyte_migration: Section<AirbyteMigrationCase>;
  };
}

let cached: AcceptanceConfig | undefined;

export function acceptanceConfig(): AcceptanceConfig {
  cached ??= parse(readFileSync(ACCEPTANCE_CONFIG_PATH, 'utf8')) as AcceptanceConfig;
  return cached;
}

/**
 * The cases of one section. A section is either `{tests: […]}` or `{bypass_reason}`; at high strictness
 * a bypass needs a reason, and a section with neither is an error (never a silent skip).
 */
export function casesOf<K extends keyof AcceptanceConfig['acceptance_tests']>(
  name: K,
): { cases: Array<AcceptanceConfig['acceptance_tests'][K] extends Section<infer T> ? T : never>; bypass?: string } {
  const section = acceptanceConfig().acceptance_tests?.[name] as Section<unknown> | undefined;
  if (!section) throw new Error(`acceptance-test-config.yml has no acceptance_tests.${name} section; add tests or a bypass_reason`);
  if ('bypass_reason' in section) {
    if (!section.bypass_reason?.trim()) throw new Error(`acceptance_tests.${name}.bypass_reason is empty`);
    return { cases: [], bypass: section.bypass_reason };
  }
  if (!Array.isArray(section.tests) || section.tests.length === 0) {
    throw new Error(`acceptance_tests.${name}.tests is empty; add a case or a bypass_reason`);
  }
  return { cases: section.tests as never[] };
}

export const repoPath = (path: string) => join(PROJECT_ROOT, path);

export function readRepoJson(path: string): unknown {
  return JSON.parse(readFileSync(repoPath(path), 'utf8'));
}

export interface Placeholders {
  SANDBOX_URL?: string;
  SANDBOX_REGION_URL?: string;
  UNREACHABLE_URL?: string;
}

/** Replaces `${NAME}` in every string of `value`. Unknown placeholders are an error naming them. */
export function fillPlaceholders<T>(value: T, placeholders: Placeholders): T {
  const text = JSON.stringify(value).replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => {
    const filled = placeholders[name as keyof Placeholders];
    if (filled === undefined) throw new Error(`placeholder ${whole} has no value in this test file (known: ${Object.keys(placeholders).join(', ')})`);
    return filled;
  });
  return JSON.parse(text) as T;
}

/** Shallow merge where `null` deletes a key. */
export function withOverrides(base: unknown, overrides: Record<string, unknown> | undefined): unknown {
  if (!overrides) return base;
  const out = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** The config of a case, placeholders filled in. */
export function configOf(source: ConfigSource, placeholders: Placeholders): Record<string, unknown> {
  return fillPlaceholders(withOverrides(readRepoJson(source.config_path), source.config_overrides), placeholders) as Record<string, unknown>;
}

/** Keys a config file of this suite may hold: every output of the suite is searched for them. */
export function secretsOf(config: Record<string, unknown>): string[] {
  const key = config.app_api_key;
  return typeof key === 'string' && key.length >= 4 ? [key] : [];
}
