// Label-smoothed cross-entropy against torch.nn.functional.cross_entropy,
// value and gradient, for class indices and for mixed (soft) targets
// (tests/reference/make_recipe_expected.py). tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  crossEntropy,
  smoothTargets,
  softTargetCrossEntropy,
} from '../../src/train/losses';
import { expectClose } from '../reference/compare';
import expected from '../reference/recipe.json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const label = (c: (typeof expected.losses)[number]) =>
  `${c.soft ? 'soft targets' : 'class indices'}, smoothing ${c.labelSmoothing}`;

describe('cross-entropy matches torch, value and gradient', () => {
  test.each(expected.losses.map((c) => [label(c), c] as const))(
    '%s',
    (_, c) => {
      const logits = tf.tensor2d(c.logits, [c.labels.length, 5]);
      const before = tf.memory().numTensors;
      const lossOf = (x: tf.Tensor2D) =>
        c.soft
          ? softTargetCrossEntropy(
              x,
              tf.tensor2d(c.soft, x.shape),
              c.labelSmoothing,
            )
          : crossEntropy(x, tf.tensor1d(c.labels, 'int32'), c.labelSmoothing);
      const { value, grad } = tf.valueAndGrad(lossOf)(logits);
      expect(Math.abs(value.dataSync()[0]! - c.loss)).toBeLessThan(1e-5);
      expectClose(Array.from(grad.dataSync()), c.grad, 1e-5);
      tf.dispose([value, grad]);
      expect(tf.memory().numTensors).toBe(before);
      logits.dispose();
    },
  );
});

test('smoothing mixed one-hot targets equals mixing smoothed ones', () => {
  const a = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 4).toFloat() as tf.Tensor2D;
  const b = tf.oneHot(tf.tensor1d([3, 2], 'int32'), 4).toFloat() as tf.Tensor2D;
  const mixed = a.mul(0.7).add(b.mul(0.3)) as tf.Tensor2D;
  const mixFirst = smoothTargets(mixed, 0.2);
  const smoothFirst = smoothTargets(a, 0.2)
    .mul(0.7)
    .add(smoothTargets(b, 0.2).mul(0.3));
  expectClose(
    Array.from(mixFirst.dataSync()),
    Array.from(smoothFirst.dataSync()),
    1e-6,
  );
  expect(mixFirst.sum(1).dataSync()).toEqual(new Float32Array([1, 1]));
  tf.dispose([a, b, mixed, mixFirst, smoothFirst]);
});

test('bad targets and smoothing say what was expected', () => {
  const logits = tf.zeros([2, 3]) as tf.Tensor2D;
  const targets = tf.zeros([2, 4]) as tf.Tensor2D;
  expect(() => softTargetCrossEntropy(logits, targets)).toThrow(
    "targets must have the logits' shape [2, 3], got [2, 4]",
  );
  expect(() => smoothTargets(logits, 1.5)).toThrow(
    'label smoothing must be in [0, 1], got 1.5',
  );
  tf.dispose([logits, targets]);
});
