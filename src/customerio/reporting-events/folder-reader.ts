/**
 * A receiver's store read from its folder (reporting_webhook_store_folders), for a connector that runs where the
 * store's volume is mounted: the same pages as the read API, up to the end the `committed` file says is durable. Only
 * files whose names are the store's own (store.json, committed, events-<digits>.jsonl) are ever opened.
 */
import { join } from 'node:path';
import { configError } from '../../errors.js';
import { nodeFiles, type Files } from '../../webhooks/store/files.js';
import { COMMITTED_FILE, parseCommitted, segmentStart, STORE_FILE } from '../../webhooks/store/format.js';
import { PositionError, readAfter, type Segment } from '../../webhooks/store/range.js';
import { MAX_LINE } from '../../webhooks/store/recovery.js';
import { LogPositionError, type LogPage, type LogReader } from './log.js';

export class FolderLogReader implements LogReader {
  readonly name: string;

  constructor(
    private readonly dir: string,
    private readonly pageEvents = 1000,
    private readonly files: Files = nodeFiles,
  ) {
    this.name = `store folder ${dir}`;
  }

  async page(after: number | undefined, until: number | undefined): Promise<LogPage> {
    const storeId = await this.storeId();
    const end = await this.committed();
    const segments: Segment[] = (await this.files.list(this.dir))
      .map((name) => ({ name, start: segmentStart(name) }))
      .filter((s): s is Segment => s.start !== undefined)
      .sort((a, b) => a.start - b.start);
    const first = segments.length ? segments[0].start : end;
    const from = after ?? first;
    try {
      const page = await readAfter(this.files, this.dir, segments, Math.min(end, until ?? end), from, { events: this.pageEvents, bytes: 4 << 20, maxLine: MAX_LINE });
      return { storeId, first, end, after: from, next: page.next, lines: page.lines };
    } catch (error) {
      if (!(error instanceof PositionError)) throw error;
      if (error.kind === 'corrupt') throw configError(`reporting_events: ${this.name}: ${error.message}`);
      throw new LogPositionError(error.kind, error.message, storeId, error.kind === 'gone' ? (error.first ?? first) : undefined);
    }
  }

  private async storeId(): Promise<string> {
    let identity: { store_id?: unknown } | undefined;
    try {
      identity = JSON.parse(await this.files.readText(join(this.dir, STORE_FILE))) as { store_id?: unknown };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw configError(`reporting_events: ${this.name} is not a receiver's store (${code === 'ENOENT' ? `no ${STORE_FILE}` : `${STORE_FILE} cannot be read${code ? `: ${code}` : ''}`})`);
    }
    if (typeof identity?.store_id !== 'string') throw configError(`reporting_events: ${this.name}/${STORE_FILE} names no store`);
    return identity.store_id;
  }

  /**
   * The committed end. The receiver rewrites the file in place after every batch: a read racing that write could mix
   * two values, so it is read until two reads agree (the value only grows, and slowly next to two reads).
   */
  private async committed(): Promise<number> {
    const read = async () => parseCommitted(await this.files.readText(join(this.dir, COMMITTED_FILE)).catch(() => ''));
    let end = await read();
    for (let tries = 0; tries < 10 && end !== undefined; tries++) {
      const again = await read();
      if (again === end) break;
      end = again;
    }
    if (end === undefined) throw configError(`reporting_events: ${this.name} has no readable ${COMMITTED_FILE} file: has its receiver ever started?`);
    return end;
  }
}
