// A training batch through the train preset (crop, flip, policy,
// normalisation, erasing, MixUp/CutMix) on the tfjs CPU backend: shapes,
// value ranges, the seed, and targets that stay distributions.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import type { HostBatch } from '../../src/data/schema';
import { createRng } from '../../src/lib/random';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import {
  applyTrainAugment,
  drawTrainAugment,
  normalizeImages,
} from '../../src/train/augment/pipeline';
import { randomErasing, REFERENCE_ERASING } from '../../src/train/erase';
import { mixBatch } from '../../src/train/mix';
import { normalization, uploadBatch } from '../../src/train/step';
import {
  applyTrainBatch,
  drawTrainBatch,
  prepareTrainBatch,
  uploadPixels,
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

/** The preset's steps one after another, each drawing as it runs. */
function stepByStep(recipe: TrainBatchRecipe, seed: number) {
  const rng = createRng(seed);
  const batch = hostBatch(6);
  const options = {
    imageSize: recipe.imageSize,
    autoAugment: 'ta_wide' as const,
    cropFlip: recipe.cropFlip,
    interpolation: recipe.interpolation,
  };
  const draws = drawTrainAugment(rng, 6, STORED, options);
  const { mean, std } = normalization(STORED);
  const x = tf.tidy(() => {
    const raw = uploadPixels(batch, STORED);
    const augmented = applyTrainAugment(raw, draws, options);
    return normalizeImages(augmented, mean, std);
  });
  const params = { ...REFERENCE_ERASING, randomErase: recipe.randomErase };
  const erased = randomErasing(x, params, rng);
  const labels = tf.tensor1d(batch.labels, 'int32');
  const mixed = mixBatch(erased, labels, 3, recipe, rng);
  tf.dispose([x, erased, labels]);
  return mixed;
}

test("drawing a batch up front takes the stream in the steps' order", () => {
  const recipe: TrainBatchRecipe = {
    ...DEFAULT_RECIPE,
    imageSize: 16,
    cropFlip: true,
    autoAugment: 'ta_wide',
    randomErase: 0.7,
    mixupAlpha: 0.2,
    cutmixAlpha: 1,
  };
  for (const seed of [3, 4, 5]) {
    const expected = stepByStep(recipe, seed);
    const ctx = { stored: STORED, recipe, numClasses: 3 };
    const draws = drawTrainBatch(6, { ...ctx, rng: createRng(seed) });
    expect(draws.mix).toEqual(expected.draw);
    expect(draws.erase).toHaveLength(6);
    const got = applyTrainBatch(hostBatch(6), ctx, draws);
    expect(Array.from(got.x.dataSync())).toEqual(
      Array.from(expected.x.dataSync()),
    );
    expect(Array.from(got.targets.dataSync())).toEqual(
      Array.from(expected.targets.dataSync()),
    );
    tf.dispose([got.x, got.targets, expected.x, expected.targets]);
  }
});
