/**
 * Partition planning: what a stream is read as — its parent's records (the parent list read in full once per
 * run, shared by every child, never printed unless selected itself), fixed partitions from the config
 * (activity and message types), or one partition for the whole stream.
 */
import type { Config } from '../config.js';
import { ConnectorError } from '../errors.js';
import type { Partition, Record_, StreamDefinition } from './types.js';

/** How a partition's read ended when not simply done: its parent answered 404 ('skipped'), or the stream is unavailable. */
export type PartitionEnd = void | 'skipped' | ConnectorError;

/** A stream's partitions, and whether they are the whole list of its parent (every parent the API has now). */
export interface Partitions {
  list: Partition[];
  wholeParentList: boolean;
}

/** A parent list as read: `whole` is false when one of its own partitions was skipped (a 404). */
interface ParentList {
  records: Record_[];
  whole: boolean;
}

/** Reads one partition in full, handing each page's records to `onRecords` (no cursor, no filter). */
export type WholeRead = (definition: StreamDefinition, partition: Partition, onRecords: (records: Record_[]) => void) => Promise<PartitionEnd>;

export class PartitionPlanner {
  private readonly parents = new Map<string, Promise<ParentList>>();

  constructor(
    private readonly config: Config,
    private readonly readWhole: WholeRead,
  ) {}

  /** Partitions of a stream: its parent's records, fixed partitions from the config, or one whole-stream partition. */
  async partitionsOf(definition: StreamDefinition): Promise<Partitions> {
    if (definition.parent) {
      const { stream, key } = definition.parent;
      const parents = await this.parentList(stream).catch((error: unknown) => {
        // The parent list itself is refused (403): this stream is unavailable too, said under its own name.
        if (error instanceof ConnectorError && error.stream === stream.name && definition.name !== stream.name) {
          throw new ConnectorError(`Stream ${definition.name} reads the ${stream.name} list first, which failed: ${error.message}`, error.failureType, { stream: definition.name });
        }
        throw error;
      });
      return { list: [...(definition.parent.besides ?? []), ...parents.records.map((parent) => ({ key: key(parent), parent }))], wholeParentList: parents.whole };
    }
    if (definition.partitions) return { list: definition.partitions(this.config), wholeParentList: false };
    return { list: [{ key: '' }], wholeParentList: false };
  }

  /** A parent stream's records, read in full once per run and shared by every child. */
  private parentList(definition: StreamDefinition): Promise<ParentList> {
    let pending = this.parents.get(definition.name);
    if (!pending) {
      pending = (async () => {
        const records: Record_[] = [];
        let whole = true;
        for (const partition of (await this.partitionsOf(definition)).list) {
          const end = await this.readWhole(definition, partition, (page) => records.push(...page));
          // Without this, a refused parent list would leave its children with no partitions: COMPLETE and empty.
          if (end instanceof ConnectorError) throw end;
          if (end === 'skipped') whole = false;
        }
        return { records, whole };
      })();
      this.parents.set(definition.name, pending);
    }
    return pending;
  }
}
