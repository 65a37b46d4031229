// The stored images of one class, read back from the shards for the
// dataset view's grid. The per-shard label records say which shards hold
// the class, so only those shards' pixels are read, one at a time, and
// reading stops once enough images are found.
import type { ShardStore } from './shard-store';
import type { SplitName } from './schema';

export interface ClassImages {
  dataset: string;
  split: SplitName;
  classId: number;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Up to the limit asked for, in store order; HWC uint8 each. */
  images: Uint8Array[];
  /** Images of the class in the split, shown or not. */
  numInSplit: number;
}

export async function readClassImages(
  store: Pick<ShardStore, 'getManifest' | 'getSplitLabels' | 'getShard'>,
  dataset: string,
  split: SplitName,
  classId: number,
  limit: number,
): Promise<ClassImages> {
  const manifest = await store.getManifest(dataset);
  if (!manifest) {
    throw new Error(`expected a stored dataset "${dataset}", found none`);
  }
  const { width, height, channels } = manifest;
  const imageBytes = width * height * channels;
  const result: ClassImages = {
    dataset,
    split,
    classId,
    width,
    height,
    channels,
    images: [],
    numInSplit: manifest.splits[split].classCounts[classId] ?? 0,
  };
  for (const { index, labels } of await store.getSplitLabels(dataset, split)) {
    if (result.images.length >= limit) break;
    if (!labels.includes(classId)) continue;
    const shard = await store.getShard(dataset, split, index);
    if (!shard) continue;
    labels.forEach((label, i) => {
      if (label !== classId || result.images.length >= limit) return;
      // A copy, so the shard's buffer can be collected.
      result.images.push(
        shard.pixels.slice(i * imageBytes, (i + 1) * imageBytes),
      );
    });
  }
  return result;
}

/** HWC RGB or grayscale bytes as the RGBA pixels a canvas takes. */
export function toRgba(
  pixels: Uint8Array,
  channels: 1 | 3,
): Uint8ClampedArray<ArrayBuffer> {
  const n = pixels.length / channels;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const r = pixels[i * channels]!;
    out[i * 4] = r;
    out[i * 4 + 1] = channels === 3 ? pixels[i * 3 + 1]! : r;
    out[i * 4 + 2] = channels === 3 ? pixels[i * 3 + 2]! : r;
    out[i * 4 + 3] = 255;
  }
  return out;
}
