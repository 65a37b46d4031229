// A small in-memory dataset and a backend that waits for nothing, so that
// the training loop runs in Node on the tfjs CPU backend.
import type {
  DatasetManifest,
  ShardRecord,
  SplitName,
} from '../../src/data/schema';
import { createRng } from '../../src/lib/random';
import type { Backend } from '../../src/train/backend';

export const NUM_CLASSES = 4;

/** Random grayscale images of `side` px; image i has label i % 4. */
export function fakeDataset(numTrain: number, numVal: number, side: number) {
  const rng = createRng(11);
  const shardOf = (split: SplitName, n: number): ShardRecord => {
    const pixels = Uint8Array.from({ length: n * side * side }, () =>
      Math.floor(rng() * 256),
    );
    const labels = Uint16Array.from({ length: n }, (_, i) => i % NUM_CLASSES);
    return { dataset: 'fake', split, index: 0, numImages: n, pixels, labels };
  };
  const shards = {
    train: shardOf('train', numTrain),
    val: shardOf('val', numVal),
  };
  const split = (numImages: number) => ({
    numImages,
    numShards: 1,
    classCounts: Array(NUM_CLASSES).fill(numImages / NUM_CLASSES),
  });
  const manifest: DatasetManifest = {
    name: 'fake',
    formatVersion: 1,
    classNames: ['a', 'b', 'c', 'd'],
    height: side,
    width: side,
    channels: 1,
    shardSize: Math.max(numTrain, numVal),
    splits: { train: split(numTrain), val: split(numVal) },
    complete: true,
    source: 'test',
    sourceId: 'test',
    createdAt: '2024-01-01T00:00:00Z',
  };
  const store = {
    getShard: async (_d: string, s: SplitName, index: number) =>
      index === 0 ? shards[s] : undefined,
    getSplitLabels: async (_d: string, s: SplitName) => [
      { dataset: 'fake', split: s, index: 0, labels: shards[s].labels },
    ],
  };
  return { manifest, store };
}

export const fakeBackend: Backend = {
  info: {
    backend: 'cpu',
    adapter: 'test',
    tfjsVersion: 'test',
    fallbackReasons: [],
    maxStorageBufferBindingSize: null,
    kernels: 'tfjs',
  },
  fault: () => null,
  fence: async () => {},
};
