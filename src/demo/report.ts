/** Text the demo prints: aligned tables of rows and of records per stream, durations, counts. Pure. */

export const number = (n: number) => n.toLocaleString('en-US');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Rows (as DuckDB returns them, JSON-friendly) as an aligned text table, long values cut. */
export function formatRows(rows: Array<Record<string, unknown>>, maxWidth = 40): string {
  if (rows.length === 0) return '  (no rows)\n';
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => '  ' + values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** Records per stream of several reads side by side; streams in the order of the first read, then any new ones. */
export function formatCounts(headers: string[], reads: Array<Map<string, number>>, streams: string[]): string {
  const names = [...new Set([...streams, ...reads.flatMap((r) => [...r.keys()])])];
  const width = Math.max(6, ...names.map((n) => n.length));
  const columns = headers.map((h) => Math.max(h.length, 9));
  const line = (name: string, values: string[]) => '  ' + name.padEnd(width) + values.map((v, i) => '  ' + v.padStart(columns[i])).join('');
  const totals = reads.map((r) => [...r.values()].reduce((a, b) => a + b, 0));
  return [
    line('stream', headers),
    line('-'.repeat(width), columns.map((w) => '-'.repeat(w))),
    ...names.map((n) => line(n, reads.map((r) => number(r.get(n) ?? 0)))),
    line('total', totals.map(number)),
  ].join('\n') + '\n';
}
