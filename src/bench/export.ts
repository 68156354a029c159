/**
 * Part 5, customers by export (issue 16): `people` read with customers_method export against the sandbox at the
 * API's real limit (10 requests a second, the connector's own limiter on), then — in the same run, from the same
 * sandbox process and data — the API way with both limits lifted, side by side.
 *
 * The sandbox models Customer.io's preparation of the export (PREPARE_MS_PER_MILLION, a model: the real time is
 * not known), so the export read's time is reported in parts, from the sandbox's own record of the export and
 * the connector's start and exit (one machine, one clock):
 *   - before the download: start-up, POST, the polls (the preparation and what the poll spacing adds to it);
 *   - the connector's own time: from the file request reaching the storage host to the process's exit
 *     (download, decode, parse, map, print) — the figure the 60 s target is about.
 */
import { catalogOf, runConnector } from './connector.js';
import { startSandboxProcess } from './sandbox-process.js';

/** The sandbox's model of Customer.io preparing an export: 10 s per million people (a stand-in; the real time is unknown). */
export const PREPARE_MS_PER_MILLION = 10_000;
/** The API's limit, for the API way's time at that limit (requests ÷ this). */
const LIMIT = 10;

interface ExportLogEntry {
  createdAtMs: number;
  preparedAtMs: number;
  settledAtMs?: number;
  downloads: Array<{ startedAtMs: number; endedAtMs?: number; rows: number; complete: boolean }>;
}

export interface ExportRun {
  people: number;
  records: number;
  /** App API requests of the export read (the storage host's not included). */
  apiRequests: number;
  /** Requests to the storage host (1 unless a download broke off). */
  downloads: number;
  preparationSeconds: number;
  /** From the export being prepared to a poll seeing it done: what the poll spacing adds. */
  pollLagSeconds: number;
  /** From the process's start to the file request (start-up, POST, polls). */
  beforeDownloadSeconds: number;
  /** From the file request to the process's exit: download, parse, emit. */
  ownSeconds: number;
  totalSeconds: number;
  peakRssMb: number;
  cpuSeconds: number;
  /** The API way over the same people, limits lifted: requests, records, wall time. */
  api: { records: number; requests: number; seconds: number; peakRssMb: number };
}

export async function runExport(people: number): Promise<ExportRun> {
  const prepareMs = Math.round((people / 1_000_000) * PREPARE_MS_PER_MILLION);
  const sandbox = await startSandboxProcess({
    sizes: { customers: people },
    latencyMs: 0,
    rateLimit: LIMIT,
    now: Math.floor(Date.now() / 1000) - 60,
    extraArgs: ['--exports', JSON.stringify({ pendingPolls: 0, prepareMs })],
  });
  try {
    const config = { app_api_key: 'sandbox-us-key', api_base_url: sandbox.url };
    const startedAt = Date.now();
    const exported = await runConnector({ config: { ...config, customers_method: 'export' }, catalog: catalogOf(['customers']), clock: sandbox.now + 60 });
    if (exported.exitCode !== 0 || !exported.usage) throw new Error(`the export read failed (exit ${exported.exitCode}): ${exported.stderr.slice(0, 1000)} ${JSON.stringify(exported.others.slice(-3))}`);
    const exitedAt = startedAt + exported.wallMs;
    const apiRequests = (await sandbox.stats()).total;
    const log = ((await sandbox.control('GET', 'exports')) as { exports: ExportLogEntry[] }).exports;
    if (log.length !== 1 || log[0].downloads.length === 0 || log[0].settledAtMs === undefined) throw new Error(`unexpected export history: ${JSON.stringify(log)}`);
    const [entry] = log;
    const settledAt = entry.settledAtMs!;
    const firstDownload = entry.downloads[0].startedAtMs;

    // The API way, side by side: same sandbox, same people, no limits (its time at the limit is requests ÷ 10).
    await sandbox.control('POST', 'rate-limit', false);
    await sandbox.resetStats();
    const api = await runConnector({ config: { ...config, customers_method: 'api' }, catalog: catalogOf(['customers']), env: { CIO_REQUESTS_PER_SECOND: 'off' }, clock: sandbox.now + 60 });
    if (api.exitCode !== 0 || !api.usage) throw new Error(`the API read failed (exit ${api.exitCode}): ${api.stderr.slice(0, 1000)}`);
    const apiStats = await sandbox.stats();

    return {
      people,
      records: exported.records,
      apiRequests,
      downloads: entry.downloads.length,
      preparationSeconds: (entry.preparedAtMs - entry.createdAtMs) / 1000,
      pollLagSeconds: Math.max(0, settledAt - entry.preparedAtMs) / 1000,
      beforeDownloadSeconds: (firstDownload - startedAt) / 1000,
      ownSeconds: (exitedAt - firstDownload) / 1000,
      totalSeconds: exported.wallMs / 1000,
      peakRssMb: exported.usage.maxRssMb,
      cpuSeconds: exported.usage.cpuSeconds,
      api: { records: api.records, requests: apiStats.total, seconds: api.wallMs / 1000, peakRssMb: api.usage.maxRssMb },
    };
  } finally {
    await sandbox.close();
  }
}

/** What the API way's requests take at the API's limit. */
export const secondsAtLimit = (requests: number) => requests / LIMIT;
