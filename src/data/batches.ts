// Batches for training and evaluation, read shard by shard from the store
// so that a dataset never has to fit in memory.
//
// Shuffling is two-level, because a full permutation of the split would
// need every shard at once: each epoch visits the shards in a seeded order,
// a few at a time (a "window"), and shuffles the images of a window among
// themselves. Memory holds two windows (the one being batched and the next,
// loaded ahead) plus one batch. Wider windows mix better and cost more.
//
// Everything that decides an order is a pure function of (seed, epoch), so
// the same seed and epoch give the same batches, here and in Node tests.
import { createRng, deriveSeed, shuffleInPlace } from '../lib/random';
import { DatasetFormatError } from './errors';
import {
  FORMAT_VERSION,
  type DatasetManifest,
  type HostBatch,
  type ShardLabels,
  type ShardRecord,
  type SplitName,
} from './schema';
import type { ShardStore } from './shard-store';

export const DEFAULT_WINDOW_SHARDS = 4;

export type ShardSource = Pick<ShardStore, 'getShard'>;

export interface EpochOptions {
  batchSize: number;
  seed: number;
  epoch: number;
  /** Training reads shuffle; evaluation reads go in stored order. */
  shuffle: boolean;
  /** Drop the last partial batch. Defaults to `shuffle` (training). */
  dropLast?: boolean;
  /** Split image indices to read (see classBalancedSubset); all if absent. */
  subset?: Int32Array;
  /** Shards shuffled together; see the top of this file. */
  windowShards?: number;
}

export interface EpochWindow {
  /** Shard indices this window reads. */
  shards: number[];
  /** Split image indices in the order they are batched. */
  order: Int32Array;
}

export interface EpochPlan {
  windows: EpochWindow[];
  /** Images the epoch batches, after dropping a partial last batch. */
  numImages: number;
}

function checkPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `expected ${name} to be a whole number >= 1, got ${value}`,
    );
  }
}

/**
 * Picks numPerClass images of every class, seeded. `labelsByShard[i]` holds
 * the class ids of shard i; the result is sorted split image indices.
 */
export function classBalancedSubset(
  labelsByShard: readonly Uint16Array[],
  shardSize: number,
  numClasses: number,
  options: { numPerClass: number; seed: number },
): Int32Array {
  checkPositiveInt('numPerClass', options.numPerClass);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labelsByShard.forEach((labels, shard) => {
    labels.forEach((label, offset) => {
      const list = byClass[label];
      if (list === undefined) {
        throw new RangeError(
          `expected class ids below ${numClasses}, got ${label} in shard ` +
            `${shard}`,
        );
      }
      list.push(shard * shardSize + offset);
    });
  });
  const picked: number[] = [];
  byClass.forEach((indices, c) => {
    if (indices.length < options.numPerClass) {
      throw new RangeError(
        `expected at least ${options.numPerClass} images of class ${c}, ` +
          `got ${indices.length}`,
      );
    }
    // One stream per class: a class's pick does not depend on the others.
    shuffleInPlace(indices, createRng(deriveSeed(options.seed, 'subset', c)));
    picked.push(...indices.slice(0, options.numPerClass));
  });
  return Int32Array.from(picked).sort();
}

/** Reads a split's labels (no pixels) and picks a class-balanced subset. */
export async function loadClassBalancedSubset(
  store: Pick<ShardStore, 'getSplitLabels'>,
  manifest: DatasetManifest,
  split: SplitName,
  options: { numPerClass: number; seed: number },
): Promise<Int32Array> {
  const stored: ShardLabels[] = await store.getSplitLabels(
    manifest.name,
    split,
  );
  const expected = manifest.splits[split].numShards;
  if (stored.length !== expected || stored.some((s, i) => s.index !== i)) {
    throw new DatasetFormatError(
      `expected labels for ${expected} ${split} shards of ` +
        `"${manifest.name}", got ${stored.length}`,
    );
  }
  const labels = stored.map((s) => s.labels);
  const numClasses = manifest.classNames.length;
  return classBalancedSubset(labels, manifest.shardSize, numClasses, options);
}

/** Images one epoch over `split` batches, given the same options. */
export function countImages(
  manifest: DatasetManifest,
  split: SplitName,
  options: Pick<EpochOptions, 'batchSize' | 'subset' | 'dropLast'> & {
    shuffle?: boolean;
  },
): number {
  checkPositiveInt('batchSize', options.batchSize);
  const n = options.subset?.length ?? manifest.splits[split].numImages;
  const dropLast = options.dropLast ?? options.shuffle ?? false;
  return dropLast ? n - (n % options.batchSize) : n;
}

/** Image indices of each shard that the epoch reads, by shard index. */
function indicesByShard(
  manifest: DatasetManifest,
  split: SplitName,
  subset: Int32Array | undefined,
): Map<number, number[]> {
  const { numImages } = manifest.splits[split];
  const byShard = new Map<number, number[]>();
  const add = (i: number) => {
    const shard = Math.floor(i / manifest.shardSize);
    const list = byShard.get(shard);
    if (list) list.push(i);
    else byShard.set(shard, [i]);
  };
  if (subset === undefined) {
    for (let i = 0; i < numImages; i++) add(i);
    return byShard;
  }
  for (const i of subset) {
    if (!Number.isInteger(i) || i < 0 || i >= numImages) {
      throw new RangeError(
        `expected subset indices in [0, ${numImages}), got ${i}`,
      );
    }
    add(i);
  }
  return byShard;
}

/** The order in which an epoch reads shards and images. Pure. */
export function planEpoch(
  manifest: DatasetManifest,
  split: SplitName,
  options: EpochOptions,
): EpochPlan {
  checkPositiveInt('batchSize', options.batchSize);
  const windowShards = options.windowShards ?? DEFAULT_WINDOW_SHARDS;
  checkPositiveInt('windowShards', windowShards);
  const byShard = indicesByShard(manifest, split, options.subset);
  const shards = [...byShard.keys()].sort((a, b) => a - b);
  const rng = createRng(
    deriveSeed(options.seed, 'batches', split, options.epoch),
  );
  if (options.shuffle) shuffleInPlace(shards, rng);

  const windows: EpochWindow[] = [];
  for (let w = 0; w < shards.length; w += windowShards) {
    const members = shards.slice(w, w + windowShards);
    const order = Int32Array.from(members.flatMap((s) => byShard.get(s)!));
    if (options.shuffle) shuffleInPlace(order, rng);
    windows.push({ shards: members, order });
  }
  const numImages = countImages(manifest, split, options);
  return { windows, numImages };
}

function checkReadable(manifest: DatasetManifest): void {
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new DatasetFormatError(
      `expected stored format version ${FORMAT_VERSION}, got ` +
        `${manifest.formatVersion} for "${manifest.name}"; import it again`,
    );
  }
  if (!manifest.complete) {
    throw new DatasetFormatError(
      `expected a complete dataset, but the import of "${manifest.name}" ` +
        `has not finished; resume it first`,
    );
  }
}

async function loadWindow(
  source: ShardSource,
  manifest: DatasetManifest,
  split: SplitName,
  window: EpochWindow,
): Promise<Map<number, ShardRecord>> {
  const loaded = await Promise.all(
    window.shards.map((i) => source.getShard(manifest.name, split, i)),
  );
  const { shardSize, splits } = manifest;
  const imageBytes = manifest.height * manifest.width * manifest.channels;
  const byIndex = new Map<number, ShardRecord>();
  loaded.forEach((shard, k) => {
    const index = window.shards[k]!;
    const size = Math.min(
      shardSize,
      splits[split].numImages - index * shardSize,
    );
    if (
      shard?.numImages !== size ||
      shard.labels.length !== size ||
      shard.pixels.length !== size * imageBytes
    ) {
      throw new DatasetFormatError(
        `expected ${split} shard ${index} of "${manifest.name}" to hold ` +
          `${size} images, got ${shard ? shard.numImages : 'no shard'}; ` +
          `delete the dataset and import it again`,
      );
    }
    byIndex.set(index, shard);
  });
  return byIndex;
}

function newBatch(size: number, imageBytes: number): HostBatch {
  return {
    pixels: new Uint8Array(size * imageBytes),
    labels: new Int32Array(size),
    size,
    indices: new Int32Array(size),
  };
}

/**
 * Yields the batches of one epoch. Each batch owns fresh buffers, so a
 * consumer may keep them or transfer them to another thread.
 */
export async function* readBatches(
  source: ShardSource,
  manifest: DatasetManifest,
  split: SplitName,
  options: EpochOptions,
): AsyncGenerator<HostBatch> {
  checkReadable(manifest);
  const plan = planEpoch(manifest, split, options);
  if (plan.numImages === 0) return;
  const { batchSize } = options;
  const imageBytes = manifest.height * manifest.width * manifest.channels;
  let remaining = plan.numImages;
  let batch = newBatch(Math.min(batchSize, remaining), imageBytes);
  let fill = 0;
  let next: Promise<Map<number, ShardRecord>> | null = loadWindow(
    source,
    manifest,
    split,
    plan.windows[0]!,
  );

  for (let w = 0; w < plan.windows.length && remaining > 0; w++) {
    const shards = await next!;
    const ahead = plan.windows[w + 1];
    next = ahead ? loadWindow(source, manifest, split, ahead) : null;
    // A rejected look-ahead must not go unhandled if this loop ends first.
    next?.catch(() => undefined);

    for (const index of plan.windows[w]!.order) {
      const shard = shards.get(Math.floor(index / manifest.shardSize))!;
      const offset = index % manifest.shardSize;
      const from = offset * imageBytes;
      batch.pixels.set(
        shard.pixels.subarray(from, from + imageBytes),
        fill * imageBytes,
      );
      batch.labels[fill] = shard.labels[offset]!;
      batch.indices![fill] = index;
      fill++;
      if (fill < batch.size) continue;
      yield batch;
      remaining -= fill;
      if (remaining === 0) return;
      batch = newBatch(Math.min(batchSize, remaining), imageBytes);
      fill = 0;
    }
  }
}
