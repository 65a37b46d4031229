// The augmentation preview's pure parts on the tfjs CPU backend: what the
// notes say each draw did, and the input normalisation undone so that the
// plain upload of the training loop shows the stored bytes exactly.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import type { HostBatch } from '../../src/data/schema';
import { toRgba } from '../../src/data/class-images';
import { createRng } from '../../src/lib/random';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import {
  denormalizeImages,
  normalizeImages,
} from '../../src/train/augment/pipeline';
import { cutmixBox } from '../../src/train/mix';
import { describeOp, describeTrainDraws } from '../../src/train/preview/notes';
import { previewTrainBatch } from '../../src/train/preview/preview';
import { normalization } from '../../src/train/step';
import {
  drawTrainBatch,
  type TrainBatchDraws,
} from '../../src/train/train-batch';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SQUARE = { height: 8, width: 8 };

test('each policy op is named with its magnitude in its own unit', () => {
  expect(describeOp({ op: 'Rotate', magnitude: -22.5 })).toBe('Rotate -22.5°');
  expect(describeOp({ op: 'TranslateX', magnitude: 7.9 })).toBe(
    'TranslateX 7 px',
  );
  expect(describeOp({ op: 'Posterize', magnitude: 5 })).toBe(
    'Posterize 5 bits',
  );
  expect(describeOp({ op: 'Brightness', magnitude: 0.123456 })).toBe(
    'Brightness 0.123',
  );
  expect(describeOp({ op: 'Equalize', magnitude: 0 })).toBe('Equalize');
});

test('notes follow the steps: crop and flip, policy, erasing, mix', () => {
  const draws: TrainBatchDraws = {
    augment: {
      crop: {
        boxes: [
          { top: 1, left: 2, height: 5, width: 6 },
          { top: 0, left: 0, height: 8, width: 8 },
        ],
        flips: [true, false],
      },
      policy: [
        [
          { op: 'ShearX', magnitude: 0.3 },
          { op: 'Identity', magnitude: 0 },
        ],
      ],
    },
    erase: [{ top: 3, left: 4, height: 2, width: 1 }, null],
    mix: { kind: 'mixup', lambda: 0.75 },
  };
  expect(describeTrainDraws(draws, 2, SQUARE, 8)).toEqual([
    [
      'crop 6x5 at (2, 1), flipped',
      'policy: ShearX 0.3',
      'erased 1x2 at (4, 3)',
      'MixUp: 0.75 of this, 0.25 of image 2',
    ],
    [
      'crop 8x8 at (0, 0)',
      'policy: Identity',
      'not erased',
      'MixUp: 0.75 of this, 0.25 of image 1',
    ],
  ]);
});

test('CutMix notes give the clamped box and the label weight it implies', () => {
  const mix = { kind: 'cutmix', lambda: 0.5, centerX: 7, centerY: 1 } as const;
  const draws: TrainBatchDraws = { augment: null, erase: null, mix };
  const [first] = describeTrainDraws(draws, 3, { height: 10, width: 12 }, 8);
  const box = cutmixBox(mix, 8, 8);
  expect(first).toEqual([
    'resized 12x10 to 8 px, no crop or flip',
    'CutMix: 3x3 at (5, 0) from image 3, label weight 0.859',
  ]);
  expect(box).toEqual({ x1: 5, y1: 0, x2: 8, y2: 3, lambda: 1 - 9 / 64 });
});

test('Bag of Tricks jitter and lighting are listed per image', () => {
  const recipe = {
    ...DEFAULT_RECIPE,
    imageSize: 8,
    autoAugment: 'standard' as const,
  };
  const ctx = {
    stored: { ...SQUARE, channels: 3 },
    recipe,
    numClasses: 2,
    rng: createRng(4),
  };
  const draws = drawTrainBatch(2, ctx);
  const notes = describeTrainDraws(draws, 2, SQUARE, 8);
  for (const image of notes) {
    expect(image[0]).toMatch(/^crop \d+x\d+ at \(\d+, \d+\)/);
    expect(image[1]).toMatch(
      /^jitter: (brightness|contrast|saturation) x[\d.]+, \w+ x[\d.]+, \w+ x[\d.]+$/,
    );
    expect(image[2]).toMatch(/^lighting -?[\d.e-]+, -?[\d.e-]+, -?[\d.e-]+$/);
    expect(image).toHaveLength(3);
  }
});

function hostBatch(n: number, channels: number): HostBatch {
  const rng = createRng(3);
  const pixels = Uint8Array.from({ length: n * 64 * channels }, () =>
    Math.floor(rng() * 256),
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i);
  const indices = Int32Array.from({ length: n }, (_, i) => 40 + i);
  return { size: n, pixels, labels, indices };
}

test('undoing the normalisation gives back every byte, grey and RGB', () => {
  for (const channels of [1, 3] as const) {
    const { mean, std } = normalization({ height: 8, width: 8, channels });
    const batch = hostBatch(3, channels);
    const x = tf.tensor4d(Float32Array.from(batch.pixels), [3, 8, 8, channels]);
    const back = denormalizeImages(normalizeImages(x, mean, std), mean, std);
    expect(Array.from(back.dataSync())).toEqual(Array.from(batch.pixels));
    tf.dispose([x, back]);
  }
  const x = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
  expect(() => denormalizeImages(x, [0.5], [0.5])).toThrow(
    'expected 3 means and standard deviations, got 1 and 1',
  );
  x.dispose();
});

test('the plain training upload previews as the stored images', async () => {
  const batch = hostBatch(3, 3);
  const before = tf.memory().numTensors;
  const preview = await previewTrainBatch(batch, {
    stored: { ...SQUARE, channels: 3 },
    recipe: { ...DEFAULT_RECIPE, imageSize: 8 },
    numClasses: 3,
    rng: createRng(1),
  });
  expect(tf.memory().numTensors).toBe(before);
  expect(preview.size).toBe(8);
  expect(Array.from(preview.pixels)).toEqual(
    Array.from(toRgba(batch.pixels, 3)),
  );
  expect(preview.images.map((i) => [i.label, i.index])).toEqual([
    [0, 40],
    [1, 41],
    [2, 42],
  ]);
  expect(preview.images[0]!.notes).toEqual([
    'stored 8 px image, no crop or flip',
  ]);
});

test('a preview is the training batch of the same draws, seeded', async () => {
  const recipe = {
    ...DEFAULT_RECIPE,
    imageSize: 6,
    autoAugment: 'ta_wide' as const,
    randomErase: 0.5,
  };
  const ctx = (seed: number) => ({
    stored: { ...SQUARE, channels: 1 },
    recipe,
    numClasses: 3,
    rng: createRng(seed),
  });
  const a = await previewTrainBatch(hostBatch(3, 1), ctx(5));
  const b = await previewTrainBatch(hostBatch(3, 1), ctx(5));
  const c = await previewTrainBatch(hostBatch(3, 1), ctx(6));
  expect(a.pixels.length).toBe(3 * 6 * 6 * 4);
  expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
  expect(a.images).toEqual(b.images);
  expect(Array.from(a.pixels)).not.toEqual(Array.from(c.pixels));
  const draws = drawTrainBatch(3, ctx(5));
  const notes = describeTrainDraws(draws, 3, SQUARE, 6);
  expect(a.images.map((i) => i.notes)).toEqual(notes);
});
