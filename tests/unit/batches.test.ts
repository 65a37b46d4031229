import { describe, expect, test } from 'vitest';
import {
  classBalancedSubset,
  countImages,
  planEpoch,
  readBatches,
  type EpochOptions,
  type ShardSource,
} from '../../src/data/batches';
import type {
  DatasetManifest,
  HostBatch,
  ShardRecord,
  SplitName,
} from '../../src/data/schema';

const NUM_CLASSES = 4;
const SHARD_SIZE = 10;
const NUM_TRAIN = 95; // ten shards, the last one half full

/** Image i has label i % 4 and every pixel equal to i % 251. */
function fakeDataset(numImages = NUM_TRAIN) {
  const numShards = Math.ceil(numImages / SHARD_SIZE);
  const shards: ShardRecord[] = [];
  for (let s = 0; s < numShards; s++) {
    const n = Math.min(SHARD_SIZE, numImages - s * SHARD_SIZE);
    const pixels = new Uint8Array(n * 4);
    const labels = new Uint16Array(n);
    for (let k = 0; k < n; k++) {
      const i = s * SHARD_SIZE + k;
      pixels.fill(i % 251, k * 4, k * 4 + 4);
      labels[k] = i % NUM_CLASSES;
    }
    shards.push({
      dataset: 'fake',
      split: 'train',
      index: s,
      numImages: n,
      pixels,
      labels,
    });
  }
  const split = { numImages, numShards, classCounts: [] };
  const manifest: DatasetManifest = {
    name: 'fake',
    formatVersion: 1,
    classNames: ['a', 'b', 'c', 'd'],
    height: 2,
    width: 2,
    channels: 1,
    shardSize: SHARD_SIZE,
    splits: { train: split, val: { ...split, numImages: 0, numShards: 0 } },
    complete: true,
    source: 'test',
    sourceId: 'test',
    createdAt: '2024-01-01T00:00:00Z',
  };
  const loads: number[] = [];
  const source: ShardSource = {
    getShard: async (_d: string, _s: SplitName, index: number) => {
      loads.push(index);
      return shards[index];
    },
  };
  return { manifest, shards, source, loads };
}

async function collect(
  options: EpochOptions,
  dataset = fakeDataset(),
): Promise<HostBatch[]> {
  const batches: HostBatch[] = [];
  for await (const b of readBatches(
    dataset.source,
    dataset.manifest,
    'train',
    options,
  )) {
    batches.push(b);
  }
  return batches;
}

const indicesOf = (batches: HostBatch[]) =>
  batches.flatMap((b) => [...b.indices!]);

const train = { batchSize: 8, seed: 3, epoch: 0, shuffle: true };

describe('classBalancedSubset', () => {
  const { shards } = fakeDataset(200);
  const labels = shards.map((s) => s.labels);
  const pick = (seed: number, numPerClass = 7) =>
    classBalancedSubset(labels, SHARD_SIZE, NUM_CLASSES, {
      numPerClass,
      seed,
    });

  test('takes the same number of images from every class', () => {
    const subset = pick(1);
    const counts = Array(NUM_CLASSES).fill(0);
    subset.forEach((i) => counts[i % NUM_CLASSES]++);
    expect(counts).toEqual([7, 7, 7, 7]);
    expect(new Set(subset).size).toBe(subset.length);
  });

  test('is fixed by its seed and changes with it', () => {
    expect(pick(1)).toEqual(pick(1));
    expect(pick(1)).not.toEqual(pick(2));
  });

  test('refuses to take more images of a class than there are', () => {
    expect(() => pick(1, 51)).toThrow(/at least 51 images of class 0, got 50/);
  });
});

describe('epoch order', () => {
  test('visits every image exactly once when the last batch is kept', async () => {
    const batches = await collect({ ...train, dropLast: false });
    const seen = indicesOf(batches).sort((a, b) => a - b);
    expect(seen).toEqual([...Array(NUM_TRAIN).keys()]);
    expect(batches.at(-1)!.size).toBe(NUM_TRAIN % 8);
  });

  test('drops the last partial batch for training by default', async () => {
    const batches = await collect(train);
    expect(batches.every((b) => b.size === 8)).toBe(true);
    expect(indicesOf(batches)).toHaveLength(88);
    expect(countImages(fakeDataset().manifest, 'train', train)).toBe(88);
  });

  test('is the same for the same seed and epoch, and differs otherwise', async () => {
    const a = indicesOf(await collect(train));
    expect(indicesOf(await collect(train))).toEqual(a);
    expect(indicesOf(await collect({ ...train, epoch: 1 }))).not.toEqual(a);
    expect(indicesOf(await collect({ ...train, seed: 4 }))).not.toEqual(a);
  });

  test('keeps stored order and the partial batch without shuffle', async () => {
    const batches = await collect({ ...train, shuffle: false });
    expect(indicesOf(batches)).toEqual([...Array(NUM_TRAIN).keys()]);
  });

  test('mixes images only within windows of a few shards', () => {
    const { manifest } = fakeDataset();
    const plan = planEpoch(manifest, 'train', { ...train, windowShards: 3 });
    expect(plan.windows.map((w) => w.shards.length)).toEqual([3, 3, 3, 1]);
    for (const w of plan.windows) {
      const shardsOf = new Set([...w.order].map((i) => Math.floor(i / 10)));
      expect([...shardsOf].sort()).toEqual([...w.shards].sort());
    }
  });

  test('reads only the images of a subset', async () => {
    const subset = Int32Array.from([3, 4, 17, 50, 94]);
    const batches = await collect({ ...train, batchSize: 2, subset });
    expect(indicesOf(batches)).toHaveLength(4);
    const all = await collect({
      ...train,
      batchSize: 2,
      subset,
      dropLast: false,
    });
    expect(indicesOf(all).sort((a, b) => a - b)).toEqual([...subset]);
  });

  test('batches carry the pixels and labels of the images they name', async () => {
    for (const b of await collect(train)) {
      b.indices!.forEach((i, k) => {
        expect(b.labels[k]).toBe(i % NUM_CLASSES);
        expect([...b.pixels.subarray(k * 4, k * 4 + 4)]).toEqual(
          Array(4).fill(i % 251),
        );
      });
    }
  });

  test('loads shards as it goes, one window ahead at most', async () => {
    const dataset = fakeDataset();
    const batches = readBatches(dataset.source, dataset.manifest, 'train', {
      ...train,
      windowShards: 2,
    });
    await batches.next();
    expect(dataset.loads.length).toBeLessThanOrEqual(4);
    await batches.return(undefined);
  });
});
