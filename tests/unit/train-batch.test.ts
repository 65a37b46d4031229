// A training batch through the train preset (crop, flip, policy,
// normalisation, erasing, MixUp/CutMix) on the tfjs CPU backend: shapes,
// value ranges, the seed, and targets that stay distributions.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import type { HostBatch } from '../../src/data/schema';
import { createRng } from '../../src/lib/random';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { uploadBatch } from '../../src/train/step';
import {
  prepareTrainBatch,
  type TrainBatchRecipe,
} from '../../src/train/train-batch';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STORED = { height: 20, width: 20, channels: 1 } as const;

function hostBatch(n: number): HostBatch {
  const rng = createRng(9);
  const pixels = Uint8Array.from({ length: n * 20 * 20 }, () =>
    Math.floor(rng() * 256),
  );
  return {
    size: n,
    pixels,
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
  } as unknown as HostBatch;
}

function prepare(recipe: Partial<TrainBatchRecipe>, seed = 1) {
  const batch = hostBatch(6);
  return prepareTrainBatch(batch, {
    stored: STORED,
    recipe: { ...DEFAULT_RECIPE, imageSize: 16, ...recipe },
    numClasses: 3,
    rng: createRng(seed),
  });
}

test('all off: the plain upload of the step', () => {
  const { x, targets } = prepare({});
  const plain = uploadBatch(hostBatch(6), STORED, 16);
  expect(Array.from(x.dataSync())).toEqual(Array.from(plain.x.dataSync()));
  expect(Array.from(targets.dataSync())).toEqual([0, 1, 2, 0, 1, 2]);
  tf.dispose([x, targets, plain.x, plain.labels]);
});

test('a policy gives normalised images of the crop size, fixed by the seed', () => {
  const before = tf.memory().numTensors;
  const a = prepare({ autoAugment: 'ta_wide' });
  const b = prepare({ autoAugment: 'ta_wide' });
  const c = prepare({ autoAugment: 'ta_wide' }, 2);
  expect(tf.memory().numTensors).toBe(before + 6);
  expect(a.x.shape).toEqual([6, 16, 16, 1]);
  const values = Array.from(a.x.dataSync());
  expect(values).toEqual(Array.from(b.x.dataSync()));
  expect(values).not.toEqual(Array.from(c.x.dataSync()));
  // Grayscale normalises 0..255 to [-1, 1].
  expect(Math.min(...values)).toBeGreaterThanOrEqual(-1 - 1e-5);
  expect(Math.max(...values)).toBeLessThanOrEqual(1 + 1e-5);
  tf.dispose([a.x, a.targets, b.x, b.targets, c.x, c.targets]);
});

test('erasing zeroes rectangles after normalisation', () => {
  const { x, targets } = prepare({ randomErase: 1 });
  const values = Array.from(x.dataSync());
  // Every image loses at least 2% of its pixels to exact zeros.
  expect(values.filter((v) => v === 0).length).toBeGreaterThan(6 * 5);
  tf.dispose([x, targets]);
});

test('MixUp and CutMix give target rows that sum to one', () => {
  for (const seed of [1, 2, 3, 4]) {
    const { x, targets } = prepare({ mixupAlpha: 0.2, cutmixAlpha: 1 }, seed);
    expect(targets.shape).toEqual([6, 3]);
    const sums = Array.from(targets.sum(1).dataSync());
    sums.forEach((s) => expect(s).toBeCloseTo(1, 6));
    tf.dispose([x, targets]);
  }
});
