// Collects cropped images into one shard buffer per split and stores each
// shard as it fills, with the manifest that counts it (one transaction,
// see shard-store.ts). The manifest's import record carries, per split,
// how far through the plan the stored shards reach, so an interrupted
// import resumes after them; a shard never straddles that point.
//
// Memory: one shard buffer per split, whatever the dataset's size, plus
// the copy of one shard while it is written.
//
// Writes overlap decoding: a full shard is handed to the store and the
// next images are decoded while its transaction commits. One write is in
// flight at most, so shards still land in order and `manifest` (what the
// store holds) trails by at most one shard; a failed write surfaces at the
// next add() or finish().
import {
  SPLIT_NAMES,
  type DatasetManifest,
  type ImportRecord,
  type SplitName,
} from '../schema';
import type { ShardStore } from '../shard-store';
import type { ImportIssue } from './types';

export type WriteTarget = Pick<ShardStore, 'putShard' | 'putManifest'>;

interface Buffer {
  pixels: Uint8Array;
  labels: Uint16Array;
  fill: number;
  /** Plan positions before this one are stored, buffered or skipped. */
  consumed: number;
}

function issueKey(issue: ImportIssue): string {
  return `${issue.file}\n${issue.reason}`;
}

/** Adds issues not already listed; returns the merged list. */
export function mergeIssues(
  into: readonly ImportIssue[],
  more: readonly ImportIssue[],
): ImportIssue[] {
  const seen = new Set(into.map(issueKey));
  const out = [...into];
  for (const issue of more) {
    if (seen.has(issueKey(issue))) continue;
    seen.add(issueKey(issue));
    out.push(issue);
  }
  return out;
}

export class ImportWriter {
  readonly imageBytes: number;
  private readonly buffers: Record<SplitName, Buffer>;
  private pending: ImportIssue[] = [];
  /** The shard write in flight, if any. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: WriteTarget,
    public manifest: DatasetManifest & { importRecord: ImportRecord },
  ) {
    const { height, width, channels, shardSize } = manifest;
    this.imageBytes = height * width * channels;
    const buffer = (split: SplitName): Buffer => ({
      pixels: new Uint8Array(shardSize * this.imageBytes),
      labels: new Uint16Array(shardSize),
      fill: 0,
      consumed: manifest.importRecord.cursor[split],
    });
    this.buffers = { train: buffer('train'), val: buffer('val') };
  }

  get record(): ImportRecord {
    return this.manifest.importRecord;
  }

  /** Whether the stored shards already account for this plan position. */
  isDone(split: SplitName, position: number): boolean {
    return position < this.record.cursor[split];
  }

  /** Plan positions consumed so far (stored, buffered or skipped). */
  get numConsumed(): number {
    return this.buffers.train.consumed + this.buffers.val.consumed;
  }

  /** Every issue met so far, stored or not yet. */
  get issues(): ImportIssue[] {
    return mergeIssues(this.record.skipped, this.pending);
  }

  skip(split: SplitName, position: number, issue: ImportIssue): void {
    this.pending.push(issue);
    this.buffers[split].consumed = position + 1;
  }

  /** Takes one image; resolves once a shard it completed is stored. */
  async add(
    split: SplitName,
    position: number,
    classId: number,
    pixels: Uint8Array,
  ): Promise<void> {
    const buffer = this.buffers[split];
    buffer.pixels.set(pixels, buffer.fill * this.imageBytes);
    buffer.labels[buffer.fill++] = classId;
    buffer.consumed = position + 1;
    if (buffer.fill === this.manifest.shardSize) {
      await this.writing;
      this.writing = this.flush(split);
      // Observed here; its error is thrown where it is awaited next.
      this.writing.catch(() => {});
    }
  }

  /** Waits for the write in flight; its failure is not this call's. */
  async settle(): Promise<void> {
    await this.writing.catch(() => {});
  }

  /** Stores the last, partial shards and marks the dataset complete. */
  async finish(): Promise<void> {
    await this.writing;
    for (const split of SPLIT_NAMES) {
      const buffer = this.buffers[split];
      buffer.consumed = this.record.planned[split];
      if (buffer.fill > 0) await this.flush(split);
    }
    const manifest = {
      ...this.manifest,
      complete: true,
      importRecord: {
        ...this.record,
        cursor: { ...this.record.planned },
        skipped: this.issues,
      },
    };
    delete manifest.importRecord.stopped;
    await this.store.putManifest(manifest);
    this.manifest = manifest;
    this.pending = [];
  }

  private async flush(split: SplitName): Promise<void> {
    const buffer = this.buffers[split];
    const n = buffer.fill;
    const before = this.manifest.splits[split];
    const classCounts = [...before.classCounts];
    for (let i = 0; i < n; i++) classCounts[buffer.labels[i]!]!++;
    const skipped = this.issues;
    const numPending = this.pending.length;
    const after = {
      ...this.manifest,
      splits: {
        ...this.manifest.splits,
        [split]: {
          numImages: before.numImages + n,
          numShards: before.numShards + 1,
          classCounts,
        },
      },
      importRecord: {
        ...this.record,
        cursor: { ...this.record.cursor, [split]: buffer.consumed },
        skipped,
      },
    };
    const shard = {
      dataset: this.manifest.name,
      split,
      index: before.numShards,
      numImages: n,
      pixels: buffer.pixels.slice(0, n * this.imageBytes),
      labels: buffer.labels.slice(0, n),
    };
    // The buffer is free again once copied; images met during the write
    // fill it and their issues wait in `pending`.
    buffer.fill = 0;
    await this.store.putShard(after, shard);
    this.manifest = after;
    this.pending = this.pending.slice(numPending);
  }
}
