// Reads an export file from a link with the built ExportFile, in a process started with a small heap
// (--max-old-space-size), and prints what it read and the most heap it used. Run by test/perf/export-memory.test.ts.
import { ExportFile } from '../../../dist/customerio/download.js';

const [url] = process.argv.slice(2);
const file = new ExportFile({ exportId: 'large', stream: 'customers', firstLink: url, newLink: async () => url });
const header = await file.header();
let rows = 0;
let misshapen = 0;
let lastId = '';
let maxHeap = 0;
for await (const batch of file.batches(1000)) {
  rows += batch.length;
  for (const row of batch) if (row.length !== header.length || !row[3].startsWith('said "hi",\n')) misshapen++;
  lastId = batch[batch.length - 1][0];
  maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
}
process.stdout.write(JSON.stringify({ header, rows, misshapen, lastId, downloads: file.downloads, maxHeapMb: maxHeap / 2 ** 20 }));
