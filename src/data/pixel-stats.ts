// The per-channel mean and standard deviation of a dataset's training
// pixels, on the 0..1 scale torchvision's Normalize takes. A network
// trained from scratch sees inputs centred and scaled by its own data's
// statistics; weights trained elsewhere bring their own instead.
//
// The statistics come from a sample: up to SAMPLE_SHARDS training shards,
// evenly spaced over the split so that a class-ordered import is still
// covered, every image in them. The sample depends only on the stored
// dataset, so every run on it normalises alike.
import type { DatasetManifest, ShardRecord } from './schema';

export interface PixelStats {
  mean: number[];
  std: number[];
}

const SAMPLE_SHARDS = 16;

/** Sums of values and of squares per channel, as exact integers. */
export class PixelMoments {
  private readonly sums: number[];
  private readonly squares: number[];
  private count = 0;

  constructor(readonly channels: number) {
    this.sums = new Array<number>(channels).fill(0);
    this.squares = new Array<number>(channels).fill(0);
  }

  /** Adds HWC uint8 pixels, any number of whole images. */
  add(pixels: Uint8Array): void {
    const c = this.channels;
    if (pixels.length % c !== 0) {
      throw new Error(
        `expected a multiple of ${c} pixel values, got ${pixels.length}`,
      );
    }
    for (let k = 0; k < c; k++) {
      // Sums of uint8 values stay exact in a double far past any dataset.
      let sum = 0;
      let square = 0;
      for (let i = k; i < pixels.length; i += c) {
        const v = pixels[i]!;
        sum += v;
        square += v * v;
      }
      this.sums[k]! += sum;
      this.squares[k]! += square;
    }
    this.count += pixels.length / c;
  }

  /** Population mean and standard deviation per channel, on 0..1. */
  stats(): PixelStats {
    if (this.count === 0) {
      throw new Error('expected at least one pixel, got none');
    }
    const n = this.count;
    const mean = this.sums.map((s) => s / n);
    const std = this.squares.map((q, k) =>
      Math.sqrt(Math.max(0, q / n - mean[k]! * mean[k]!)),
    );
    return { mean: mean.map((m) => m / 255), std: std.map((s) => s / 255) };
  }
}

/** Which training shards the sample reads: evenly spaced, first and last. */
export function sampleShardIndices(numShards: number): number[] {
  if (numShards <= SAMPLE_SHARDS) {
    return Array.from({ length: numShards }, (_, i) => i);
  }
  const step = (numShards - 1) / (SAMPLE_SHARDS - 1);
  return Array.from({ length: SAMPLE_SHARDS }, (_, i) => Math.round(i * step));
}

export interface ShardReader {
  getShard(
    dataset: string,
    split: 'train',
    index: number,
  ): Promise<ShardRecord | undefined>;
}

/** Measures the statistics of a stored dataset's training split. */
export async function measurePixelStats(
  store: ShardReader,
  manifest: DatasetManifest,
): Promise<PixelStats> {
  const moments = new PixelMoments(manifest.channels);
  for (const index of sampleShardIndices(manifest.splits.train.numShards)) {
    const shard = await store.getShard(manifest.name, 'train', index);
    if (!shard) {
      throw new Error(
        `expected train shard ${index} of "${manifest.name}", found none`,
      );
    }
    moments.add(shard.pixels);
  }
  const stats = moments.stats();
  // A constant channel would divide by zero; leave its scale alone.
  return { mean: stats.mean, std: stats.std.map((s) => (s > 0 ? s : 1)) };
}
