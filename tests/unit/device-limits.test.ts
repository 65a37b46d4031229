import { expect, test } from 'vitest';
import type { DatasetManifest } from '../../src/data/schema';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { RunError } from '../../src/train/epoch';
import { checkDeviceLimits, chooseMicroBatch } from '../../src/train/loop';

const rgb = {
  classNames: Array.from({ length: 196 }, (_, i) => `class ${i}`),
  channels: 3,
} as unknown as DatasetManifest;

const resnet50 = { ...DEFAULT_RECIPE, model: 'resnet50', imageSize: 224 };
const MiB = 2 ** 20;

test('a batch whose stem output overflows one GPU buffer is refused', () => {
  // 112 x 112 x 64 floats per image: 41 images fit in 128 MiB, 42 do not.
  const run = () =>
    checkDeviceLimits({ ...resnet50, batchSize: 42 } as never, rgb, 128 * MiB);
  expect(run).toThrow(RunError);
  expect(run).toThrow(/needs a 129 MiB buffer, but this GPU allows 128 MiB/);
  expect(run).toThrow(/use a batch of at most 41/);
});

test('a batch that fits, or a backend without the limit, passes', () => {
  expect(() =>
    checkDeviceLimits({ ...resnet50, batchSize: 41 } as never, rgb, 128 * MiB),
  ).not.toThrow();
  expect(() =>
    checkDeviceLimits({ ...resnet50, batchSize: 4096 } as never, rgb, null),
  ).not.toThrow();
});

test('micro-batches bound the pass, and a larger eval crop counts', () => {
  const check = (patch: object) => () =>
    checkDeviceLimits({ ...resnet50, ...patch } as never, rgb, 128 * MiB);
  expect(check({ batchSize: 84, microBatchSize: 21 })).not.toThrow();
  expect(check({ batchSize: 84, microBatchSize: 42 })).toThrow(
    /micro-batch 42 at 224 px .* use a micro-batch of at most 41/,
  );
  // A 256 px eval crop: 128 x 128 x 64 floats, 32 images in 128 MiB.
  expect(check({ batchSize: 33, valCropSize: 256 })).toThrow(
    /batch 33 at 256 px needs a 132 MiB buffer/,
  );
});

test('with no micro-batch set, a batch too big for one buffer is split', () => {
  const { recipe, note } = chooseMicroBatch(
    { ...resnet50, batchSize: 128, microBatchSize: null } as never,
    rgb,
    128 * MiB,
  );
  // 41 images fit in 128 MiB; 32 is the largest divisor of 128 up to 41.
  expect(recipe.microBatchSize).toBe(32);
  expect(note).toMatch(/batch 128 at 224 px needs a 392 MiB buffer/);
  expect(note).toMatch(/4 micro-batches of 32/);
  expect(() => checkDeviceLimits(recipe, rgb, 128 * MiB)).not.toThrow();
});

test('a batch that fits, a set micro-batch or no limit is left alone', () => {
  const choose = (patch: object, max: number | null) =>
    chooseMicroBatch({ ...resnet50, ...patch } as never, rgb, max);
  const fits = choose({ batchSize: 41, microBatchSize: null }, 128 * MiB);
  expect(fits.note).toBeNull();
  expect(fits.recipe.microBatchSize).toBeNull();
  const set = choose({ batchSize: 128, microBatchSize: 64 }, 128 * MiB);
  expect(set.recipe.microBatchSize).toBe(64);
  expect(set.note).toBeNull();
  expect(choose({ batchSize: 4096, microBatchSize: null }, null).note).toBe(
    null,
  );
});
