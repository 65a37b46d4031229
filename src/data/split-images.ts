// Single stored images by their index in a split, for the evaluation
// view's crops and explorer. The index is the one the batch reader gives
// (shard * shardSize + offset); the last few shards read are kept, since
// neighbouring images are usually asked for together.
import type { DatasetManifest, ShardRecord, SplitName } from './schema';
import type { ShardStore } from './shard-store';

export interface StoredImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** HWC uint8. */
  pixels: Uint8Array;
  label: number;
}

const KEEP_SHARDS = 4;

export class SplitImages {
  private readonly shards = new Map<number, Promise<ShardRecord>>();

  constructor(
    private readonly store: Pick<ShardStore, 'getShard'>,
    private readonly manifest: DatasetManifest,
    private readonly split: SplitName,
  ) {}

  /** The image at `index` of the split, or an error saying why not. */
  async get(index: number): Promise<StoredImage> {
    const { shardSize, width, height, channels, name } = this.manifest;
    const numImages = this.manifest.splits[this.split].numImages;
    if (!Number.isInteger(index) || index < 0 || index >= numImages) {
      throw new Error(
        `expected an image index in [0, ${numImages}) of ${this.split}, ` +
          `got ${index}`,
      );
    }
    const shard = await this.shard(Math.floor(index / shardSize));
    const offset = index % shardSize;
    const bytes = width * height * channels;
    if (shard.labels.length <= offset) {
      throw new Error(
        `expected ${this.split} shard ${shard.index} of "${name}" to hold ` +
          `image ${offset}, got ${shard.labels.length} images`,
      );
    }
    return {
      width,
      height,
      channels,
      pixels: shard.pixels.subarray(offset * bytes, (offset + 1) * bytes),
      label: shard.labels[offset]!,
    };
  }

  private shard(index: number): Promise<ShardRecord> {
    const kept = this.shards.get(index);
    if (kept) {
      // Most recently used last.
      this.shards.delete(index);
      this.shards.set(index, kept);
      return kept;
    }
    const { name } = this.manifest;
    const read = this.store.getShard(name, this.split, index).then((s) => {
      if (s) return s;
      throw new Error(`expected ${this.split} shard ${index} of "${name}"`);
    });
    read.catch(() => this.shards.delete(index));
    this.shards.set(index, read);
    if (this.shards.size > KEEP_SHARDS) {
      this.shards.delete(this.shards.keys().next().value!);
    }
    return read;
  }
}
