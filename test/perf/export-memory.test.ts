/**
 * An export file far larger than the memory the reader may use: ~270 MB of CSV (quoted fields with doubled quotes
 * and line breaks, served with Content-Encoding gzip, written row by row with backpressure) read through the
 * built ExportFile in a child process whose heap is capped at 48 MB (--max-old-space-size). It can only finish if
 * the download is parsed as it arrives and nothing keeps the rows: a reader that buffered the file would die of
 * an out-of-memory error. No timing is asserted (speed is the benchmark's business).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { PROJECT_ROOT } from '../helpers/cli.js';

const ROWS = 400_000;
const HEAP_MB = 48;
const NOTE = `"said ""hi"",\n${'then went on about the weather, '.repeat(20)}"`;
let server: Server;
let url = '';
let bytesServed = 0;

beforeAll(async () => {
  server = createServer(async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip' });
    const gzip = createGzip({ level: 1 });
    gzip.pipe(res);
    let text = 'cio_id,id,email,note\r\n';
    for (let i = 1; i <= ROWS; i++) {
      text += `c${i},${i},person${i}@example.com,${NOTE}\r\n`;
      if (text.length > 65_536) {
        bytesServed += text.length;
        if (!gzip.write(text)) await new Promise((resolve) => gzip.once('drain', resolve));
        text = '';
      }
    }
    bytesServed += text.length;
    gzip.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/large.csv?X-Signature=abc`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('an export file larger than memory', () => {
  it(`is read whole, row by row, by a process with a ${HEAP_MB} MB heap`, async () => {
    const script = join(PROJECT_ROOT, 'test', 'perf', 'support', 'parse-export.mjs');
    expect(existsSync(join(PROJECT_ROOT, 'dist', 'customerio', 'download.js'))).toBe(true);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [`--max-old-space-size=${HEAP_MB}`, script, url], { env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const result = JSON.parse(output) as { header: string[]; rows: number; misshapen: number; lastId: string; downloads: number; maxHeapMb: number };
    expect(result).toMatchObject({ header: ['cio_id', 'id', 'email', 'note'], rows: ROWS, misshapen: 0, lastId: `c${ROWS}`, downloads: 1 });
    expect(bytesServed).toBeGreaterThan(5 * HEAP_MB * 2 ** 20);
    expect(result.maxHeapMb).toBeLessThan(HEAP_MB);
  }, 120_000);
});
