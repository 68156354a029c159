/** What people see: the progress display (terminal and plain), the final summary, the example query. */
import type { StreamStats } from '../../src/sync/loader.js';
import { plainIntervalFromEnv, Progress } from '../../src/sync/progress.js';
import { exampleQuery, formatSummary, type SummaryRow } from '../../src/sync/summary.js';
import { openFailure } from '../../src/sync/command.js';

const stats = (stream: string, extra: Partial<StreamStats> = {}): StreamStats => ({
  stream,
  mode: 'upsert',
  phase: 'reading',
  received: 0,
  committed: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  misfits: {},
  ...extra,
});

function display(tty: boolean) {
  let now = 1_000_000;
  let requests = 0;
  const written: string[] = [];
  const source = { stats: new Map([['activities', stats('activities', { received: 1234, committed: 1000 })], ['campaigns', stats('campaigns', { phase: 'complete', received: 5, startedAt: 0, endedAt: 1500 })]]), requests: () => requests, limit: 10 };
  const progress = new Progress({ write: (t: string) => written.push(t), columns: 120 }, source, { tty, now: () => now });
  return { progress, written, source, advance: (ms: number, more: number) => ((now += ms), (requests += more)) };
}

describe('progress', () => {
  it('prints plain lines with records, requests per second against the limit and the streams still reading when not on a terminal', () => {
    const { progress, written, advance } = display(false);
    progress.tick();
    advance(2000, 19);
    progress.tick();
    const text = written.join('');
    expect(text).not.toContain('\x1b[');
    expect(text).toContain('✓ campaigns: 5 records in 1.5s');
    expect(written[written.length - 1]).toMatch(/^\[sync 2\.0s\] 1,239 records, 19 requests \(9\.5\/s, limit 10\), 1\/2 streams done; reading activities 1,234 \(1,000 written\)\n$/);
  });

  it.each([
    [undefined, undefined],
    ['0.5', 500],
    ['2', 2000],
    ['0.001', 10],
    ['0', undefined],
    ['-1', undefined],
    ['soon', undefined],
  ])('takes CIO_SYNC_PROGRESS_SECONDS=%s as %s ms between plain lines', (value, ms) => {
    expect(plainIntervalFromEnv(value === undefined ? {} : { CIO_SYNC_PROGRESS_SECONDS: value })).toBe(ms);
  });

  it('redraws one live block on a terminal and clears it before a lasting line and at the end', () => {
    const { progress, written, source, advance } = display(true);
    progress.tick();
    const block = written.splice(0).join('');
    expect(block).toMatch(/req\/s \(limit 10\)/);
    expect(block).toMatch(/activities +1,234 records/);
    advance(250, 3);
    progress.tick();
    // Back up over the previous block (header + one stream line) before drawing the new one.
    expect(written[0]).toBe('\x1b[2F\x1b[J');
    source.stats.get('activities')!.phase = 'complete';
    progress.stop();
    expect(written.join('')).toContain('✓ activities: 1,234 records');
    expect(written[written.length - 1]).not.toMatch(/req\/s/);
  });
});

describe('summary', () => {
  const row = (stream: string, extra: Partial<SummaryRow>): SummaryRow => ({ ...stats(stream, { phase: 'complete', startedAt: 0, endedAt: 2000 }), requests: 3, rows: 0, ...extra });

  it('lists each stream with inserted, updated, deleted, rows now, requests and time, then the file and a query', () => {
    const text = formatSummary({
      path: '/data/customerio.duckdb',
      elapsedMs: 4200,
      requests: { total: 42, retried: 1, rateLimited: 0 },
      streams: [row('campaigns', { received: 12, inserted: 2, updated: 3, deleted: 1, unchanged: 7, rows: 40 }), row('workspaces', { mode: 'replace', received: 1, inserted: 1, rows: 1 })],
      query: 'SELECT id, name FROM campaigns ORDER BY _extracted_at DESC LIMIT 10',
      program: 'node dist/main.js',
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Synced 2 of 2 streams into /data/customerio.duckdb in 4.2s with 42 requests (1 retried, 0 rate-limited)');
    expect(lines[2].split(/\s{2,}/)).toEqual(['stream', 'mode', 'records', 'inserted', 'updated', 'deleted', 'rows now', 'requests', 'time', 'status']);
    expect(lines[4].split(/\s+/)).toEqual(['campaigns', 'upsert', '12', '2', '3', '1', '40', '3', '2.0s', 'ok']);
    expect(text).toContain('7 records were read again unchanged');
    expect(text).toContain(`  node dist/main.js query /data/customerio.duckdb 'SELECT id, name FROM campaigns ORDER BY _extracted_at DESC LIMIT 10'`);
  });

  it('says which streams failed, whether their table was kept, and how to resume', () => {
    const text = formatSummary({
      path: 'x.duckdb',
      elapsedMs: 1,
      requests: { total: 1, retried: 0, rateLimited: 0 },
      streams: [row('workspaces', { mode: 'replace', phase: 'failed', error: 'answered 500' }), row('campaigns', { phase: 'failed' })],
    });
    expect(text).toMatch(/^Synced with failures 0 of 2 streams/);
    expect(text).toContain('FAILED (table kept)');
    expect(text).toContain('FAILED (resumes)');
    expect(text).toContain('workspaces: answered 500');
    expect(text).toContain('run sync again to resume');
  });

  it('builds the example query on the biggest table, quoting names that need it', () => {
    expect(exampleQuery([{ table: 'a', rows: 1, columns: ['id'] }, { table: 'Big One', rows: 9, columns: ['id', 'first name'] }])).toBe('SELECT id, "first name" FROM "Big One" ORDER BY _extracted_at DESC LIMIT 10');
    expect(exampleQuery([{ table: 'a', rows: 0, columns: ['id'] }])).toBeUndefined();
  });
});

describe('a DuckDB file that cannot be opened', () => {
  it.each([
    ['IO Error: Cannot open file "/data/customerio.duckdb": Permission denied', /Permission denied \(.*writable by the user running it; the image runs as user node, uid 1000, unless given --user\)$/],
    ['IO Error: Could not set lock on file "/data/customerio.duckdb": Conflicting lock is held in node (PID 42)\nSee also…', /\(PID 42\) \(is another sync or a query using it\?\)$/],
    ['Serialization Error: not a DuckDB file', /^Serialization Error: not a DuckDB file$/],
  ])('says why and what to do: %s', (message, expected) => {
    expect(openFailure(message)).toMatch(expected);
  });
});
