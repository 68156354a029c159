/** Text the demo prints: records per stream side by side, durations, counts. Pure. */

export const number = (n: number) => n.toLocaleString('en-US');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

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
