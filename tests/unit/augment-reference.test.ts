// The lab's augmentation on the tfjs CPU backend against torchvision 0.14 on
// uint8 tensors, from tests/reference/augment.json (written by
// tests/reference/make_augment_expected.py). Colour ops, histogram ops,
// crops and resizes agree exactly; where they cannot, the test says why.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  applyOpDraws,
  augmentationSpace,
  centralCrop,
  colorJitter,
  lighting,
  resizeCenterCrop,
  resizedCropFlip,
  type AutoAugmentPolicyName,
  type JitterDraw,
  type OpDraw,
} from '../../src/train/augment';
import {
  countDiffs,
  decodeFloats,
  decodeImages,
  expected,
  mismatchesOffTies,
  tiePixels,
  toDraws,
} from '../reference/augment-compare';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const images = () => decodeImages(expected.images, [3, 16, 16, 3]);
const wide = () => decodeImages(expected.wide, [1, 12, 18, 3]);

async function read(out: tf.Tensor): Promise<Float32Array> {
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

const want = (b64: string) => decodeFloats(b64, 'uint8');

const GEOMETRIC = new Set(['ShearX', 'ShearY', 'TranslateX', 'TranslateY']);
GEOMETRIC.add('Rotate');

describe('autoaugment ops match torchvision on uint8', () => {
  const nearest = expected.ops.filter((c) => c.interpolation === 'nearest');
  test.each(nearest.map((c) => [c.op, c.magnitude, c] as const))(
    '%s at %d',
    async (op, magnitude, c) => {
      const x = images();
      const draw: OpDraw = { op, magnitude };
      const got = await read(applyOpDraws(x, [[draw, draw, draw]]));
      x.dispose();
      if (!GEOMETRIC.has(op)) {
        // Same float32 operations in the same order: bit for bit.
        expect(countDiffs(got, want(c.out)).count).toBe(0);
        return;
      }
      // Nearest sampling: where a source position falls exactly half-way
      // between two pixels, torchvision rounds half to even after its own
      // float32 grid arithmetic, tfjs's CPU kernel rounds half up. Every
      // other pixel must agree; those must be ties.
      const { offTies, ties } = mismatchesOffTies(got, want(c.out), [[draw]], {
        n: 3,
        height: 16,
        width: 16,
      });
      expect(offTies).toBe(0);
      expect(ties).toBeLessThanOrEqual(3 * tiePixels([draw], 16, 16).size);
    },
  );

  const bilinear = expected.ops.filter((c) => c.interpolation === 'bilinear');
  test.each(bilinear.map((c) => [c.op, c.magnitude, c] as const))(
    '%s at %d, bilinear',
    async (op, magnitude, c) => {
      const x = images();
      const draw: OpDraw = { op, magnitude };
      const got = await read(applyOpDraws(x, [[draw, draw, draw]], 'bilinear'));
      x.dispose();
      // Bilinear values are rounded half to even on both sides, but the
      // weights come from different float32 arithmetic, so a value near
      // k + 0.5 may round either way: off by one, on a few pixels.
      const d = countDiffs(got, want(c.out));
      expect(d.max).toBeLessThanOrEqual(1);
      expect(d.count).toBeLessThanOrEqual(d.length * 0.02);
    },
  );
});

describe('policy tables match torchvision', () => {
  test.each(['ta_wide', 'ra', 'imagenet'] as const)('%s', (name) => {
    const bins = name === 'imagenet' ? 10 : 31;
    const space = augmentationSpace(name, bins, 16, 16);
    const ours = [...space.entries()].map(([op, s]) => ({
      op,
      magnitudes: [...s.magnitudes],
      signed: s.signed,
    }));
    const theirs = expected.tables[name]!;
    expect(ours.map((o) => [o.op, o.signed, o.magnitudes.length])).toEqual(
      theirs.map((o) => [o.op, o.signed, o.magnitudes.length]),
    );
    // torch.linspace's float32 values come from a vectorised kernel whose
    // rounding (chunks, fused multiply-add) can differ from ours in the
    // last bit; one float32 ulp, and the policy tests use torch's values.
    ours.forEach((o, i) =>
      o.magnitudes.forEach((m, j) => {
        const t = theirs[i]!.magnitudes[j]!;
        expect(Math.abs(m - t)).toBeLessThanOrEqual(Math.abs(t) * 2 ** -23);
      }),
    );
  });
});

describe('policies applied to given draws match torchvision', () => {
  test.each(['ta_wide', 'ra', 'imagenet'] as const)(
    '%s on a batch of 12, each image its own ops',
    async (name: AutoAugmentPolicyName) => {
      const { draws, out } = expected.policies[name]!;
      const steps = toDraws(draws);
      const x = images();
      const batch = tf.concat([x, x, x, x]) as tf.Tensor4D;
      x.dispose();
      const got = await read(applyOpDraws(batch, steps));
      batch.dispose();
      const perImage = draws.map((calls) =>
        calls.map(([op, magnitude]) => ({ op, magnitude }) as OpDraw),
      );
      const { offTies } = mismatchesOffTies(got, want(out), perImage, {
        n: 12,
        height: 16,
        width: 16,
      });
      expect(offTies).toBe(0);
    },
  );
});

describe('crops, flips and resizes match torchvision', () => {
  test.each(expected.resizedCrop.map((c) => [c.size, c.wide ?? false, c]))(
    'resized crop to %d (non-square source: %s)',
    async (size, isWide, c) => {
      const x = isWide ? wide() : images();
      const boxes = c.boxes.map(([top, left, height, width]) => ({
        top,
        left,
        height,
        width,
      }));
      const got = await read(resizedCropFlip(x, boxes, c.flips, size));
      x.dispose();
      // These crops' scales give the same float32 weights as ATen, so
      // every value rounds the same way (see the eval case for when not).
      expect(countDiffs(got, want(c.out)).count).toBe(0);
    },
  );

  test.each(expected.eval.map((c) => [c.resize, c.crop, c.wide ?? false, c]))(
    'resize %d and centre crop %d (non-square: %s)',
    async (resize, crop, isWide, c) => {
      const x = isWide ? wide() : images();
      const got = await read(resizeCenterCrop(x, resize, crop));
      x.dispose();
      // Same source indices; the weights of a few positions differ from
      // ATen's in the last float32 bit (its kernels round the source
      // position differently when the scale is not a binary fraction), so
      // a value near k + 0.5 may round the other way: off by one, rarely.
      const d = countDiffs(got, want(c.out));
      expect(d.max).toBeLessThanOrEqual(1);
      expect(d.count).toBeLessThanOrEqual(d.length * 0.02);
    },
  );

  test.each(expected.fallback.map((c) => [c.height, c.width, c.box]))(
    'the central-crop fallback of a %dx%d image',
    (height, width, box) => {
      const b = centralCrop(height, width);
      expect([b.top, b.left, b.height, b.width]).toEqual(box);
    },
  );
});

describe('colour jitter and lighting match the reference', () => {
  test('jitter with fixed factors, each image in its own order', async () => {
    const draws = expected.jitter.draws.map((ops) =>
      ops.map(([name, factor]) => ({ name, factor })),
    ) as JitterDraw[];
    const x = images();
    const got = await read(colorJitter(x, draws));
    x.dispose();
    expect(countDiffs(got, want(expected.jitter.out)).count).toBe(0);
  });

  test('PCA lighting with fixed weights', async () => {
    const x = images();
    const got = await read(lighting(x, expected.lighting.alphas));
    x.dispose();
    // Float output, not rounded: the offset is computed in double here and
    // in float32 there, and added on the 0..1 scale there.
    const d = countDiffs(got, decodeFloats(expected.lighting.out, 'float32'));
    expect(d.max).toBeLessThan(2e-3);
  });
});
