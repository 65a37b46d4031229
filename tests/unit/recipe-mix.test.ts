// MixUp and CutMix against the reference's RandomMixUp/RandomCutMix with
// their draws fixed (tests/reference/make_recipe_expected.py), and the
// choice between the two when both are on. tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../../src/lib/random';
import {
  applyMix,
  cutmixBox,
  drawMix,
  mixBatch,
  type MixDraw,
} from '../../src/train/mix';
import { expectClose } from '../reference/compare';
import expected from '../reference/recipe.json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const { x, shape, labels, numClasses, cases } = expected.mix;
const [, height, width] = shape as [number, number, number, number];

type Case = (typeof cases)[number] & {
  centerX?: number;
  centerY?: number;
  box?: number[];
};

function toDraw(c: Case): MixDraw {
  return c.kind === 'mixup'
    ? { kind: 'mixup', lambda: c.lambda }
    : {
        kind: 'cutmix',
        lambda: c.lambda,
        centerX: c.centerX!,
        centerY: c.centerY!,
      };
}

describe('applyMix matches the reference with fixed draws', () => {
  test.each(cases.map((c) => [c.kind, c.lambda, c as Case] as const))(
    '%s lambda %f',
    (_, __, c) => {
      const input = tf.tensor4d(x, shape as [number, number, number, number]);
      const y = tf.tensor1d(labels, 'int32');
      const before = tf.memory().numTensors;
      const out = applyMix(input, y, numClasses, toDraw(c));
      expect(tf.memory().numTensors).toBe(before + 2);
      expectClose(Array.from(out.x.dataSync()), c.x, 1e-6);
      expectClose(Array.from(out.targets.dataSync()), c.target, 1e-6);
      tf.dispose([input, y, out.x, out.targets]);
    },
  );
});

test('cutmixBox clamps the box and recomputes lambda as the reference', () => {
  for (const c of cases as Case[]) {
    if (c.kind !== 'cutmix') continue;
    const box = cutmixBox(toDraw(c) as never, height, width);
    expect([box.x1, box.y1, box.x2, box.y2]).toEqual(c.box);
    expect(box.lambda).toBeCloseTo(c.lambdaUsed, 12);
  }
});

test('with no draw, images are copied and targets are one-hot', () => {
  const input = tf.tensor4d(x, shape as [number, number, number, number]);
  const y = tf.tensor1d(labels, 'int32');
  const out = applyMix(input, y, numClasses, null);
  expect(Array.from(out.x.dataSync())).toEqual(Array.from(input.dataSync()));
  const onehot = labels.flatMap((l) =>
    Array.from({ length: numClasses }, (_, k) => (k === l ? 1 : 0)),
  );
  expect(Array.from(out.targets.dataSync())).toEqual(onehot);
  tf.dispose([input, y, out.x, out.targets]);
});

describe('drawMix chooses as the reference RandomChoice does', () => {
  test('both off: no draw, and mixBatch leaves targets one-hot', () => {
    const rng = createRng(1);
    expect(drawMix(rng, { mixupAlpha: 0, cutmixAlpha: 0 }, 6, 8)).toBeNull();
    const input = tf.zeros([2, 6, 8, 3]) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1], 'int32');
    const out = mixBatch(input, y, 2, { mixupAlpha: 0, cutmixAlpha: 0 }, rng);
    expect(out.draw).toBeNull();
    expect(Array.from(out.targets.dataSync())).toEqual([1, 0, 0, 1]);
    tf.dispose([input, y, out.x, out.targets]);
  });

  test('one on: always that one', () => {
    const rng = createRng(2);
    for (let n = 0; n < 200; n++) {
      expect(
        drawMix(rng, { mixupAlpha: 0.2, cutmixAlpha: 0 }, 6, 8)!.kind,
      ).toBe('mixup');
      expect(drawMix(rng, { mixupAlpha: 0, cutmixAlpha: 1 }, 6, 8)!.kind).toBe(
        'cutmix',
      );
    }
  });

  test('both on: each half the time, lambda ~ Beta(alpha, alpha)', () => {
    const rng = createRng(4);
    const params = { mixupAlpha: 0.2, cutmixAlpha: 1.0 };
    const lambdas: Record<string, number[]> = { mixup: [], cutmix: [] };
    for (let n = 0; n < 20000; n++) {
      const d = drawMix(rng, params, height, width)!;
      lambdas[d.kind]!.push(d.lambda);
      if (d.kind === 'cutmix') {
        expect(d.centerX).toBeGreaterThanOrEqual(0);
        expect(d.centerX).toBeLessThan(width);
        expect(d.centerY).toBeLessThan(height);
      }
    }
    const share = lambdas.mixup!.length / 20000;
    expect(Math.abs(share - 0.5)).toBeLessThan(0.02);
    // Beta(a, a) has mean 1/2 and variance 1 / (4 (2a + 1)).
    for (const [kind, alpha] of [
      ['mixup', 0.2],
      ['cutmix', 1.0],
    ] as const) {
      const v = lambdas[kind]!;
      const mean = v.reduce((s, l) => s + l, 0) / v.length;
      const variance = v.reduce((s, l) => s + (l - mean) ** 2, 0) / v.length;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
      expect(variance).toBeCloseTo(1 / (4 * (2 * alpha + 1)), 2);
    }
  });
});
