// The eval preset on a validation batch: the sizes it resolves from the
// recipe and the batch it makes, on the tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import type { HostBatch } from '../../src/data/schema';
import { createRng } from '../../src/lib/random';
import { normalizeImages } from '../../src/train/augment/pipeline';
import { resizeCenterCrop } from '../../src/train/augment/resample';
import { evalSizes, prepareEvalBatch } from '../../src/train/eval-batch';
import { uploadBatch } from '../../src/train/step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STORED = { height: 12, width: 20, channels: 3 } as const;

function hostBatch(n: number): HostBatch {
  const rng = createRng(4);
  const pixels = Uint8Array.from({ length: n * 12 * 20 * 3 }, () =>
    Math.floor(rng() * 256),
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i);
  return { size: n, pixels, labels };
}

test('evalSizes: the crop defaults to imageSize, the resize to the crop', () => {
  const base = { imageSize: 8, valResizeSize: null, valCropSize: null };
  expect(evalSizes(base)).toBeNull();
  expect(evalSizes({ ...base, valCropSize: 10 })).toEqual({
    resizeSize: 10,
    cropSize: 10,
  });
  expect(evalSizes({ ...base, valResizeSize: 11 })).toEqual({
    resizeSize: 11,
    cropSize: 8,
  });
});

test('with no eval sizes, the plain upload', () => {
  const recipe = { imageSize: 8, valResizeSize: null, valCropSize: null };
  const a = prepareEvalBatch(hostBatch(2), STORED, recipe);
  const b = uploadBatch(hostBatch(2), STORED, 8);
  expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
  tf.dispose([a.x, a.labels, b.x, b.labels]);
});

test('Resize then CenterCrop of the raw pixels, then normalisation', () => {
  const recipe = { imageSize: 8, valResizeSize: 10, valCropSize: 9 };
  const before = tf.memory().numTensors;
  const got = prepareEvalBatch(hostBatch(2), STORED, recipe);
  expect(tf.memory().numTensors).toBe(before + 2);
  expect(got.x.shape).toEqual([2, 9, 9, 3]);
  expect(Array.from(got.labels.dataSync())).toEqual([0, 1]);
  const want = tf.tidy(() => {
    const raw = tf.tensor4d(
      Float32Array.from(hostBatch(2).pixels),
      [2, 12, 20, 3],
    );
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    return normalizeImages(resizeCenterCrop(raw, 10, 9), mean, std);
  });
  expect(Array.from(got.x.dataSync())).toEqual(Array.from(want.dataSync()));
  tf.dispose([got.x, got.labels, want]);
});
