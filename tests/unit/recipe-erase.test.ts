// Random erasing against torchvision: F.erase with fixed rectangles, and
// the distribution of RandomErasing.get_params's rectangles
// (tests/reference/make_recipe_expected.py). tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../../src/lib/random';
import {
  applyErasing,
  drawEraseRect,
  drawErasing,
  roundHalfEven,
  type EraseRect,
} from '../../src/train/erase';
import { expectClose } from '../reference/compare';
import expected from '../reference/recipe.json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The reference writes a rectangle as [top, left, height, width]. */
function toRect(r: number[] | null): EraseRect | null {
  if (!r) return null;
  const [top, left, height, width] = r as [number, number, number, number];
  return { top, left, height, width };
}

test('roundHalfEven rounds ties to the even integer, as Python', () => {
  expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
    0, 2, 2, -0, -2, 2, 3,
  ]);
});

test('applyErasing matches F.erase on fixed rectangles, per sample', () => {
  const { x, shape, rects, y } = expected.erase;
  const input = tf.tensor4d(x, shape as [number, number, number, number]);
  const before = tf.memory().numTensors;
  const out = applyErasing(input, rects.map(toRect));
  expect(tf.memory().numTensors).toBe(before + 1);
  expectClose(Array.from(out.dataSync()), y, 1e-7);
  tf.dispose([input, out]);
});

test('applyErasing rejects a rectangle list of the wrong length', () => {
  const input = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
  expect(() => applyErasing(input, [null])).toThrow(/expected one rectangle/);
  input.dispose();
});

/** Total variation distance between two histograms' normalized shapes. */
function totalVariation(a: number[], b: number[]): number {
  const sa = a.reduce((s, v) => s + v, 0);
  const sb = b.reduce((s, v) => s + v, 0);
  return 0.5 * a.reduce((s, v, i) => s + Math.abs(v / sa - b[i]! / sb), 0);
}

describe('drawEraseRect follows RandomErasing.get_params', () => {
  test.each(expected.eraseDraws.map((c) => [c.height, c.width, c] as const))(
    '%i x %i',
    (height, width, c) => {
      const rng = createRng(7);
      const keys = ['h', 'w', 'i', 'j'] as const;
      const size = Math.max(height, width) + 1;
      const hist = Object.fromEntries(
        keys.map((k) => [k, new Array<number>(size).fill(0)]),
      ) as Record<(typeof keys)[number], number[]>;
      let fallbacks = 0;
      for (let n = 0; n < c.draws; n++) {
        const r = drawEraseRect(rng, height, width);
        if (!r) {
          fallbacks++;
          continue;
        }
        expect(r.top + r.height).toBeLessThanOrEqual(height);
        expect(r.left + r.width).toBeLessThanOrEqual(width);
        hist.h[r.height]!++;
        hist.w[r.width]!++;
        hist.i[r.top]!++;
        hist.j[r.left]!++;
      }
      // 40,000 draws each: sampling noise alone keeps the distance near 0.01.
      expect(Math.abs(fallbacks - c.fallbacks) / c.draws).toBeLessThan(0.01);
      for (const k of keys) {
        expect(totalVariation(hist[k], c.histograms[k])).toBeLessThan(0.025);
      }
    },
  );
});

test('drawErasing erases each sample with probability randomErase', () => {
  const rng = createRng(3);
  const params = {
    randomErase: 0.25,
    scale: [0.02, 0.33] as const,
    ratio: [0.3, 3.3] as const,
    value: 0,
  };
  const rects = drawErasing(rng, 8000, 32, 32, params);
  const erased = rects.filter((r) => r !== null).length / rects.length;
  expect(erased).toBeGreaterThan(0.23);
  expect(erased).toBeLessThan(0.27);
  expect(drawErasing(rng, 50, 32, 32, { ...params, randomErase: 0 })).toEqual(
    new Array(50).fill(null),
  );
});
