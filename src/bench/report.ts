/**
 * The benchmark's table (printed, and written into BENCHMARKS.md with the machine, Node version and command):
 * one row per figure, each a median with its min–max spread over the runs, beside the target.
 */
import { cpus, freemem, release, totalmem, type } from 'node:os';
import { formatSpread, spread, type Spread } from './stats.js';
import { hourlyMean, type DeliveriesRun } from './deliveries.js';
import { secondsAtLimit, type ExportRun } from './export.js';
import type { MemoryRun } from './memory.js';
import { stateGrowth, type StateRun } from './state-output.js';
import type { SyncMemoryRun } from './sync-memory.js';
import type { ThroughputRun } from './throughput.js';
import type { WebhooksRun } from './webhooks.js';
import { LIMIT, SHARED_LIMIT, type UtilisationRun } from './utilisation.js';

export interface Results {
  utilisation: UtilisationRun[];
  throughput: ThroughputRun[];
  memory: { small: MemoryRun[]; large: MemoryRun[]; slow: MemoryRun[] };
  /** Part 4: part 1's read while the API leaves us SHARED_LIMIT requests a second. */
  shared: UtilisationRun[];
  /** Part 5: customers by export, and the API way beside it. */
  export: ExportRun[];
  /** Part 6: incremental syncs of messages, the full lookback every time against hourly syncs with the recent one. */
  deliveries: DeliveriesRun[];
  /** Part 7: STATE output of incremental campaign_actions reads at two sizes. */
  state: StateRun[];
  /** Part 8: sync of activities into DuckDB with its default bounds. */
  sync: SyncMemoryRun[];
  /** Part 9: the reporting-webhook receiver. */
  webhooks: WebhooksRun[];
}

export interface Row {
  part: string;
  figure: string;
  value: string;
  target: string;
  /** Undefined for figures without a target. */
  met?: boolean;
  /** False when the median meets the target but some run did not. */
  everyRun?: boolean;
}

const of = <T>(runs: T[], pick: (run: T) => number): Spread => spread(runs.map(pick));

export function rows(results: Results): Row[] {
  const out: Row[] = [];
  const u = results.utilisation;
  if (u.length) {
    const rate = of(u, (r) => r.utilisation);
    const limited = of(u, (r) => r.rateLimited);
    const ratio = of(u, (r) => r.requestRatio);
    out.push(
      { part: '1. Rate utilisation', figure: 'achieved requests/s ÷ limit (first to last request)', value: formatSpread(rate, 3), target: '≥ 0.95', met: rate.median >= 0.95, everyRun: rate.min >= 0.95 },
      { part: '', figure: 'same, over the whole process (start-up and last answer included)', value: formatSpread(of(u, (r) => r.wallUtilisation), 3), target: '' },
      { part: '', figure: '429s received', value: formatSpread(limited, 0), target: '0', met: limited.max === 0 },
      { part: '', figure: `requests made ÷ minimum the data needs (${u[0].requests}/${u[0].minimum} in run 1)`, value: formatSpread(ratio, 3), target: '≤ 1.02', met: ratio.max <= 1.02 },
      { part: '', figure: 'busiest second at the API (requests)', value: formatSpread(of(u, (r) => r.peakPerSecond), 0), target: '≤ 10', met: of(u, (r) => r.peakPerSecond).max <= 10 },
    );
  }
  const t = results.throughput;
  if (t.length) {
    const ratio = of(t, (r) => r.timeRatio);
    out.push(
      { part: '2. Throughput floor', figure: `connector: records/s (${t[0].records.toLocaleString('en-US')} records)`, value: formatSpread(of(t, (r) => r.recordsPerSecond), 0), target: '' },
      { part: '', figure: 'baseline: records/s (fetch, JSON.parse, JSON.stringify each record)', value: formatSpread(of(t, (r) => r.baselineRecordsPerSecond), 0), target: '' },
      { part: '', figure: 'connector: CPU seconds per 100,000 records', value: formatSpread(of(t, (r) => r.cpuPer100k), 2), target: '' },
      { part: '', figure: 'baseline: CPU seconds per 100,000 records', value: formatSpread(of(t, (r) => r.baselineCpuPer100k), 2), target: '' },
      { part: '', figure: 'connector time ÷ baseline time', value: formatSpread(ratio, 2), target: '≤ 2', met: ratio.median <= 2, everyRun: ratio.max <= 2 },
    );
  }
  const m = results.memory;
  if (m.small.length && m.large.length) {
    const small = of(m.small, (r) => r.peakRssMb);
    const large = of(m.large, (r) => r.peakRssMb);
    const growth = large.median / small.median;
    out.push(
      { part: '3. Memory', figure: `peak RSS, ${m.small[0].activities.toLocaleString('en-US')} activities (MB)`, value: formatSpread(small, 0), target: '< 150', met: small.median < 150, everyRun: small.max < 150 },
      { part: '', figure: `peak RSS, ${m.large[0].activities.toLocaleString('en-US')} activities (MB)`, value: formatSpread(large, 0), target: '< 150', met: large.median < 150, everyRun: large.max < 150 },
      { part: '', figure: 'larger ÷ smaller (medians)', value: growth.toFixed(2), target: '≤ 1.20', met: growth <= 1.2 },
    );
    if (m.slow.length) {
      const slow = of(m.slow, (r) => r.peakRssMb);
      const flat = slow.median / small.median;
      const mbps = (m.slow[0].readBytesPerSecond ?? 0) / 1e6;
      out.push(
        { part: '', figure: `peak RSS, ${m.slow[0].activities.toLocaleString('en-US')} activities, stdout read at ${mbps} MB/s (MB)`, value: formatSpread(slow, 0), target: '< 150', met: slow.median < 150, everyRun: slow.max < 150 },
        { part: '', figure: 'slow reader ÷ fast reader (medians)', value: flat.toFixed(2), target: '≤ 1.20 (flat)', met: flat <= 1.2 },
      );
    }
  }
  const sh = results.shared;
  if (sh.length) {
    out.push(
      { part: '4. Shared key', figure: `achieved requests/s ÷ the ${SHARED_LIMIT}/s the API leaves (connector set to ${LIMIT}/s)`, value: formatSpread(of(sh, (r) => r.requestsPerSecond / SHARED_LIMIT), 3), target: '' },
      { part: '', figure: '429s received', value: formatSpread(of(sh, (r) => r.rateLimited), 0), target: '' },
    );
  }
  const e = results.export;
  if (e.length) {
    const requests = of(e, (r) => r.apiRequests);
    const own = of(e, (r) => r.ownSeconds);
    const rss = of(e, (r) => r.peakRssMb);
    const people = e[0].people.toLocaleString('en-US');
    out.push(
      { part: '5. Customers by export', figure: `App API requests, ${people} people by export (start, polls, link)`, value: formatSpread(requests, 0), target: '< 50', met: requests.median < 50, everyRun: requests.max < 50 },
      { part: '', figure: 'requests to the storage host (downloads of the file)', value: formatSpread(of(e, (r) => r.downloads), 0), target: '' },
      { part: '', figure: "sandbox's preparation of the export (s; a model of Customer.io's, not the connector's)", value: formatSpread(of(e, (r) => r.preparationSeconds), 1), target: '' },
      { part: '', figure: 'poll lag: export ready → a poll sees it (s)', value: formatSpread(of(e, (r) => r.pollLagSeconds), 1), target: '' },
      { part: '', figure: 'connector until the file request: start-up, start, polls (s)', value: formatSpread(of(e, (r) => r.beforeDownloadSeconds), 1), target: '' },
      { part: '', figure: "connector's own time: download, parse, emit (s)", value: formatSpread(own, 1), target: '< 60', met: own.median < 60, everyRun: own.max < 60 },
      { part: '', figure: 'records/s over its own time', value: formatSpread(of(e, (r) => r.records / r.ownSeconds), 0), target: '' },
      { part: '', figure: 'connector peak RSS (MB)', value: formatSpread(rss, 0), target: '< 150', met: rss.median < 150, everyRun: rss.max < 150 },
      { part: '', figure: 'API way, same people: App API requests', value: formatSpread(of(e, (r) => r.api.requests), 0), target: '' },
      { part: '', figure: 'requests: API way ÷ export way (same run)', value: formatSpread(of(e, (r) => r.api.requests / r.apiRequests), 0), target: '' },
      { part: '', figure: "API way's time at 10 requests/s ÷ the export read's whole time, preparation included (same run)", value: formatSpread(of(e, (r) => secondsAtLimit(r.api.requests) / r.totalSeconds), 1), target: '' },
      { part: '', figure: "export way's own time ÷ API way's time with no limit (same run: the work per record)", value: formatSpread(of(e, (r) => r.ownSeconds / r.api.seconds), 2), target: '' },
      { part: '', figure: 'records: export way = API way', value: e.every((r) => r.records === r.api.records && r.records > 0) ? 'yes' : 'no', target: 'yes', met: e.every((r) => r.records === r.api.records && r.records > 0) },
    );
  }
  const d = results.deliveries;
  if (d.length) {
    const ratio = of(d, (r) => r.ratio);
    const perDay = d[0].perDay.toLocaleString('en-US');
    out.push(
      { part: '6. Deliveries re-read by need', figure: `requests of an incremental sync of messages re-reading the full 30 days, as every sync did (${perDay} deliveries a day, 1000 a page)`, value: formatSpread(of(d, (r) => r.everyTimeRequests), 0), target: '' },
      { part: '', figure: 'requests of an hourly sync with the defaults, mean over a day (23 recent re-reads of 24 hours, one full)', value: formatSpread(of(d, hourlyMean), 1), target: '' },
      { part: '', figure: 'syncs of the day that re-read the full lookback', value: formatSpread(of(d, (r) => r.fullSyncs), 0), target: '1', met: d.every((r) => r.fullSyncs === 1) },
      { part: '', figure: 'hourly mean ÷ the full lookback every sync (same run)', value: formatSpread(ratio, 3), target: '≤ 0.1', met: ratio.median <= 0.1, everyRun: ratio.max <= 0.1 },
    );
  }
  const st = results.state;
  if (st.length) {
    const mb = (bytes: number) => bytes / 1e6;
    const [small, large] = [st[0][0], st[0][st[0].length - 1]];
    const sizeOf = (s: { campaigns: number; actionsPerCampaign: number }) => `${s.campaigns} × ${s.actionsPerCampaign}`;
    for (const [index, label] of [[0, sizeOf(small)], [st[0].length - 1, sizeOf(large)]] as const) {
      const at = st.map((run) => run[index]);
      const larger = index > 0;
      out.push(
        { part: index === 0 ? '7. STATE output' : '', figure: `${label}, first read: records / STATE messages`, value: `${formatSpread(of(at, (r) => r.first.records), 0)} / ${formatSpread(of(at, (r) => r.first.states), 0)}`, target: '' },
        { part: '', figure: `${label}, first read: STATE bytes (MB)`, value: formatSpread(of(at, (r) => mb(r.first.stateBytes)), 2), target: '' },
        { part: '', figure: `${label}, second read (from the first's state): records / STATE messages`, value: `${formatSpread(of(at, (r) => r.second.records), 0)} / ${formatSpread(of(at, (r) => r.second.states), 0)}`, target: '' },
        larger
          ? { part: '', figure: `${label}, second read: STATE bytes (MB)`, value: formatSpread(of(at, (r) => mb(r.second.stateBytes)), 2), target: '< 5', met: of(at, (r) => mb(r.second.stateBytes)).median < 5, everyRun: of(at, (r) => mb(r.second.stateBytes)).max < 5 }
          : { part: '', figure: `${label}, second read: STATE bytes (MB)`, value: formatSpread(of(at, (r) => mb(r.second.stateBytes)), 2), target: '' },
      );
    }
    const growth = (read: 'first' | 'second') => of(st, (run) => stateGrowth(run, read));
    const first = growth('first');
    const second = growth('second');
    const recordsRatio = large.second.recordsRead / small.second.recordsRead;
    out.push(
      { part: '', figure: `STATE bytes ratio ÷ records read ratio (${recordsRatio.toFixed(2)}), first read (same run; bounded by the 1% share, see notes)`, value: formatSpread(first, 2), target: '' },
      { part: '', figure: `STATE bytes ratio ÷ records read ratio (${recordsRatio.toFixed(2)}), second read (same run)`, value: formatSpread(second, 2), target: '≤ 1.1', met: second.median <= 1.1, everyRun: second.max <= 1.1 },
    );
  }
  const sy = results.sync;
  if (sy.length) {
    const peak = of(sy, (r) => r.peakRssMb);
    out.push(
      { part: '8. Sync memory', figure: `sync peak RSS, ${sy[0].activities.toLocaleString('en-US')} activities (MB)`, value: formatSpread(peak, 0), target: '≤ 300', met: peak.median <= 300, everyRun: peak.max <= 300 },
      { part: '', figure: 'sync records/s', value: formatSpread(of(sy, (r) => r.recordsPerSecond), 0), target: '' },
    );
  }
  const w = results.webhooks;
  if (w.length) {
    const rate = of(w, (r) => r.sustained.perSecond);
    const p99 = of(w, (r) => r.paced.p99Ms);
    const rss = of(w, (r) => r.peakRssMb);
    const growth = of(w, (r) => r.rssGrowth);
    const errors = of(w, (r) => r.sustained.errors + r.paced.errors);
    out.push(
      { part: '9. Webhook receiver', figure: 'sustained events/s answered 2xx (64 senders back to back, fsync per batch)', value: formatSpread(rate, 0), target: '≥ 2000', met: rate.median >= 2000, everyRun: rate.min >= 2000 },
      { part: '', figure: 'time to 2xx at 500 events/s, p50 (ms)', value: formatSpread(of(w, (r) => r.paced.p50Ms), 1), target: '' },
      { part: '', figure: 'time to 2xx at 500 events/s, p99 (ms)', value: formatSpread(p99, 1), target: '< 250', met: p99.median < 250, everyRun: p99.max < 250 },
      { part: '', figure: 'events per fsync (group commit), whole run', value: formatSpread(of(w, (r) => r.eventsPerFsync), 1), target: '' },
      { part: '', figure: 'receiver peak RSS (MB)', value: formatSpread(rss, 0), target: '' },
      { part: '', figure: 'receiver RSS, last quarter ÷ second quarter of the run (medians)', value: formatSpread(growth, 2), target: '≤ 1.20 (flat)', met: growth.median <= 1.2, everyRun: growth.max <= 1.2 },
      { part: '', figure: 'answers other than 2xx', value: formatSpread(errors, 0), target: '0', met: errors.max === 0 },
    );
  }
  return out;
}

export function table(list: Row[]): string {
  const header = ['Part', 'Figure', 'Median (min–max)', 'Target', 'Met'];
  const verdict = (r: Row) => (r.met === undefined ? '' : !r.met ? '**no**' : r.everyRun === false ? 'yes (median; not every run)' : 'yes');
  const body = list.map((r) => [r.part, r.figure, r.value, r.target, verdict(r)]);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}

export function machine(): string[] {
  const cores = cpus();
  return [
    `- Machine: ${cores[0]?.model ?? 'unknown CPU'}, ${cores.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM (${(freemem() / 2 ** 30).toFixed(1)} GB free at the end), ${type()} ${release()}`,
    `- Node ${process.version}`,
  ];
}
