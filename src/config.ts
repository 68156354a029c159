/**
 * The connector's configuration: validated against spec.json (one schema for `spec` and for checks),
 * then turned into a typed Config with defaults applied and derived values (base URL, start seconds).
 * Every problem becomes one config_error naming the field and the fix.
 */
import { Ajv } from 'ajv';
import { configError } from './errors.js';
import { loadSpec } from './resources.js';
import { EVERYONE, filterProblems } from './customerio/filter.js';
import { KEY_VARIABLE } from './key.js';
import { parseStartDate } from './start-date.js';
import type { JsonObject } from './protocol/messages.js';
import { HOW_TO_ALLOW, privateNetworkAllowed, urlProblem } from './engine/egress.js';
import { withoutCredentials } from './redact.js';
import { receiverUrlProblem, type ReportingWebhooksConfig } from './customerio/reporting-events/receivers.js';

export type Region = 'us' | 'eu';
export type MetricsPeriod = 'hours' | 'days' | 'weeks' | 'months';

export interface CustomStreamConfig {
  name: string;
  path: string;
  recordsPath: string;
  primaryKey: string[];
  paginated: boolean;
}

export interface Config {
  apiKey: string;
  region: Region;
  /** Base URL every request path is appended to, e.g. https://api.customer.io/v1 */
  baseUrl: string;
  /** Base URL for a region (used by `check` to find the region a key belongs to). */
  baseUrlFor: (region: Region) => string;
  /** True when the user pinned a single host (api_base_url without `{region}`). */
  pinnedHost: boolean;
  startDateSeconds?: number;
  /** start_date as the config gave it (for messages that quote it). */
  startDateGiven?: unknown;
  /** Days of deliveries re-read before the saved cursor: the full lookback. */
  messagesLookbackDays: number;
  /** Hours of deliveries re-read before the saved cursor by the reads between two full lookbacks. */
  messagesRecentLookbackHours: number;
  /** How often (hours) the full lookback is re-read; 0: every read. */
  messagesFullLookbackEveryHours: number;
  requestsPerSecond: number;
  activityTypes: string[];
  activitiesIncludeDeleted: boolean;
  /** Hours of activities re-read before the saved cursor (late arrivals). */
  activitiesLookbackHours: number;
  activityParsing: 'single_table' | 'per_type';
  customerFilter: JsonObject;
  customerAttributes: string[];
  /** How customers are read: the search and attribute calls, a Customer.io export, or by workspace size. */
  customersMethod: 'api' | 'export' | 'auto';
  metricsPeriod: MetricsPeriod;
  metricsSteps?: number;
  messageTypes: string[];
  customStreams: CustomStreamConfig[];
  /** objects: fetch each object's attributes (one request per object). */
  objectAttributes: boolean;
  /** design_studio_emails: fetch each email's content, envelope and transformers (one request per email listed). */
  designStudioEmailContent: boolean;
  /** Sending domains esp_suppressions reads each list for (empty: each list once, without a domain). */
  espSuppressionDomains: string[];
  /** Where reporting_events are read from (reporting-webhook receivers, store folders); none: no such stream. */
  reportingWebhooks: ReportingWebhooksConfig;
}

export const REGION_HOSTS: Record<Region, string> = {
  us: 'https://api.customer.io/v1',
  eu: 'https://api-eu.customer.io/v1',
};

let validateSpec: ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }> | null };

function specValidator() {
  if (!validateSpec) {
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
    ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
    validateSpec = ajv.compile(loadSpec()) as typeof validateSpec;
  }
  return validateSpec;
}

/** One readable sentence per schema violation, naming the field. */
function describeSchemaErrors(): string[] {
  return (validateSpec.errors ?? []).map((e) => {
    const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'config';
    // Where it is missing too: `"name" is required` alone does not say which custom stream lacks it.
    if (e.params.missingProperty === 'app_api_key' && !e.instancePath) return `"app_api_key" is required (or set ${KEY_VARIABLE})`;
    if (e.params.missingProperty) return `"${String(e.params.missingProperty)}" is required${e.instancePath ? ` in "${field}"` : ''}`;
    if (e.params.allowedValues) {
      // region's enum holds both cases (Airbyte's connector saves US/EU): name each region once.
      const allowed = field === 'region' ? [...new Set((e.params.allowedValues as string[]).map((v) => v.toLowerCase()))] : (e.params.allowedValues as unknown[]);
      return `"${field}" must be one of ${allowed.join(', ')}`;
    }
    if (e.params.pattern && field.startsWith('esp_suppression_domains')) return `"${field}" must be a sending domain in lowercase, like mail.example.com`;
    if (e.keyword === 'uniqueItems') return `"${field}" lists the same value twice`;
    if (e.params.pattern && /^custom_streams\.\d+\.primary_key\.\d+$/.test(field)) return `"${field}" must be a field name or a dotted path like meta.kind, with no empty part`;
    return `"${field}" ${e.message ?? 'is invalid'}`;
  });
}

function parseFilter(raw: unknown): JsonObject {
  if (raw === undefined || raw === null || raw === '') return EVERYONE;
  let filter: unknown = raw;
  if (typeof raw === 'string') {
    try {
      filter = JSON.parse(raw);
    } catch {
      throw configError('"customer_filter" is not valid JSON; give a filter such as {"and":[{"segment":{"id":4}}]}');
    }
  }
  // Accept both {"filter": {...}} (the request body) and the bare filter.
  if (filter && typeof filter === 'object' && !Array.isArray(filter) && Object.keys(filter).length === 1 && 'filter' in filter) {
    filter = (filter as JsonObject).filter;
  }
  const problems = filterProblems(filter);
  if (problems.length) throw configError(`"customer_filter" is not a valid Customer.io filter: ${problems.join('; ')}`);
  return filter as JsonObject;
}

/**
 * `api_base_url` (both regions' URLs when it holds `{region}`) must be one the key may be sent to (egress.ts):
 * https, a public host, unless the operator's environment allows a private network. Printed without any
 * `user:password@`.
 */
function checkBaseUrl(template: string, env: NodeJS.ProcessEnv = process.env): void {
  const shown = String(withoutCredentials(template));
  for (const region of Object.keys(REGION_HOSTS)) {
    let url: URL;
    try {
      url = new URL(template.replace('{region}', region));
    } catch {
      throw configError(`"api_base_url" is not a URL: ${shown}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError(`"api_base_url" must be an https URL like ${REGION_HOSTS.us}: ${shown}`);
    const problem = urlProblem(url, privateNetworkAllowed(env));
    if (problem) {
      throw configError(`"api_base_url" ${shown} is refused: ${problem}, and the App API key is sent to it. Use https and a public host (the default ${REGION_HOSTS.us} needs no api_base_url). ${HOW_TO_ALLOW}`);
    }
  }
}

/** The secrets a raw config holds, as given and trimmed: the App API key, the reporting-webhook receivers' read token. */
export function configSecrets(rawConfig: unknown): string[] {
  const config = (rawConfig ?? {}) as Record<string, unknown>;
  return [config.app_api_key, config.reporting_webhook_read_token].filter((s): s is string => typeof s === 'string').flatMap((s) => [s, s.trim()]);
}

export function parseConfig(raw: unknown): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw configError('The config must be a JSON object with at least "app_api_key"');
  }
  const input = raw as JsonObject;
  // customer_filter may be given as an object as well as a JSON string: check it on its own.
  const forSchema = { ...input };
  if (forSchema.customer_filter !== undefined && typeof forSchema.customer_filter !== 'string') delete forSchema.customer_filter;
  if (forSchema.customer_filter === null) delete forSchema.customer_filter;
  // start_date is checked on its own (parseStartDate): it takes unix seconds as a number too, and its messages quote it.
  const startDate = forSchema.start_date;
  delete forSchema.start_date;
  for (const key of ['api_base_url', 'metrics_steps', 'esp_suppression_domains', 'activities_lookback_hours', 'messages_recent_lookback_hours', 'messages_full_lookback_every_hours', 'reporting_webhook_receivers', 'reporting_webhook_read_token', 'reporting_webhook_store_folders', 'reporting_events_accept_gaps']) if (forSchema[key] === null || forSchema[key] === '') delete forSchema[key];
  // Any case: Airbyte's own Customer.io connector saves "US" / "EU", this one "us" / "eu".
  if (typeof forSchema.region === 'string') forSchema.region = forSchema.region.trim().toLowerCase();
  if (forSchema.region === null) delete forSchema.region;
  let startDateSeconds: number | undefined;
  let startDateProblem: string | undefined;
  try {
    startDateSeconds = startDate === undefined || startDate === null || startDate === '' ? undefined : parseStartDate(startDate);
  } catch (error) {
    startDateProblem = (error as Error).message;
  }
  if (!specValidator()(forSchema)) {
    throw configError(`Invalid config: ${[...describeSchemaErrors(), ...(startDateProblem ? [startDateProblem] : [])].join('; ')}`);
  }
  if (startDateProblem) throw configError(startDateProblem);
  const apiKey = String(input.app_api_key).trim();
  if (apiKey === '') throw configError(`"app_api_key" is empty; paste an App API key from Customer.io (or leave it out and set ${KEY_VARIABLE})`);
  const region = (forSchema.region ?? 'us') as Region;

  const template = typeof forSchema.api_base_url === 'string' ? forSchema.api_base_url.trim().replace(/\/+$/, '') : undefined;
  if (template !== undefined) checkBaseUrl(template);
  const baseUrlFor = (r: Region) => (template ? template.replace('{region}', r) : REGION_HOSTS[r]);


  const messagesLookbackDays = (input.messages_lookback_days as number | undefined) ?? 30;
  const messagesRecentLookbackHours = (forSchema.messages_recent_lookback_hours as number | undefined) ?? 24;
  if (messagesRecentLookbackHours > messagesLookbackDays * 24) {
    throw configError(
      `"messages_recent_lookback_hours" (${messagesRecentLookbackHours}) may not exceed messages_lookback_days (${messagesLookbackDays} × 24 = ${messagesLookbackDays * 24} hours): ` +
        'the recent re-read is the newest part of the full one',
    );
  }

  const reportingWebhooks = parseReportingWebhooks(input);
  const steps = forSchema.metrics_steps as number | undefined;
  const customStreams = ((input.custom_streams as JsonObject[] | undefined) ?? []).map((s) => ({
    name: String(s.name),
    path: String(s.path).startsWith('/') ? String(s.path) : `/${String(s.path)}`,
    recordsPath: String(s.records_path),
    primaryKey: (s.primary_key as string[] | undefined) ?? ['id'],
    paginated: s.paginated === true,
  }));

  return {
    apiKey,
    region,
    baseUrl: baseUrlFor(region),
    baseUrlFor,
    pinnedHost: template !== undefined && !template.includes('{region}'),
    startDateSeconds,
    ...(startDateSeconds === undefined ? {} : { startDateGiven: startDate }),
    messagesLookbackDays,
    messagesRecentLookbackHours,
    messagesFullLookbackEveryHours: (forSchema.messages_full_lookback_every_hours as number | undefined) ?? 24,
    requestsPerSecond: (input.requests_per_second as number | undefined) ?? 10,
    activityTypes: (input.activity_types as string[] | undefined) ?? [],
    // On unless turned off: Airbyte's connector always asks for deleted people's activities too.
    activitiesIncludeDeleted: input.activities_include_deleted !== false,
    activitiesLookbackHours: (forSchema.activities_lookback_hours as number | undefined) ?? 1,
    activityParsing: (input.activity_parsing as Config['activityParsing'] | undefined) ?? 'single_table',
    customerFilter: parseFilter(input.customer_filter),
    customerAttributes: (input.customer_attributes as string[] | undefined) ?? [],
    customersMethod: (input.customers_method as Config['customersMethod'] | undefined) ?? 'api',
    metricsPeriod: (input.metrics_period as MetricsPeriod | undefined) ?? 'days',
    metricsSteps: steps,
    messageTypes: (input.message_types as string[] | undefined) ?? [],
    customStreams,
    objectAttributes: input.object_attributes !== false,
    // On unless turned off, like object_attributes: an email's list row holds no content at all (see design-studio.ts).
    designStudioEmailContent: input.design_studio_email_content !== false,
    espSuppressionDomains: (forSchema.esp_suppression_domains as string[] | undefined) ?? [],
    reportingWebhooks,
  };
}

/** The reporting_events fields (already checked for their types by the spec). */
function parseReportingWebhooks(input: JsonObject): ReportingWebhooksConfig {
  const receivers = ((input.reporting_webhook_receivers as string[] | undefined) ?? []).map((url) => url.trim().replace(/\/+$/, ''));
  for (const url of receivers) {
    const problem = receiverUrlProblem(url);
    if (problem) throw configError(`"reporting_webhook_receivers": ${JSON.stringify(url.slice(0, 100))} ${problem}`);
  }
  if (new Set(receivers).size !== receivers.length) throw configError('"reporting_webhook_receivers" lists the same receiver twice');
  const token = typeof input.reporting_webhook_read_token === 'string' ? input.reporting_webhook_read_token.trim() : '';
  if (receivers.length && !token) throw configError('"reporting_webhook_read_token" is required with reporting_webhook_receivers: the receivers\' CIO_WEBHOOK_READ_TOKEN');
  const folders = ((input.reporting_webhook_store_folders as string[] | undefined) ?? []).map((f) => f.trim()).filter((f) => f !== '');
  return { receivers, ...(token ? { readToken: token } : {}), folders, acceptGaps: input.reporting_events_accept_gaps === true };
}
