// Seeded per-sample draws of the augmentation policies, and the behaviour
// of the batched application: no leaked tensors, integers kept, bad input
// refused with what was expected.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng, type Rng } from '../../src/lib/random';
import {
  IMAGENET_POLICY,
  applyOpDraws,
  applyPixelOps,
  applyStandard,
  applyTrainAugment,
  augmentationSpace,
  autoAugmentBatch,
  drawAutoAugment,
  drawColorJitter,
  drawFlips,
  drawLighting,
  drawResizedCrop,
  drawStandard,
  drawTrainAugment,
  lighting,
  normalizeImages,
  resizeCenterCrop,
  type OpDraw,
} from '../../src/train/augment';
import { normalization, uploadBatch } from '../../src/train/step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const count = <T>(items: T[], key: (t: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) {
    counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  }
  return counts;
};

describe('auto-augment draws', () => {
  test('a seed fixes the draws; another seed changes them', () => {
    const draw = (seed: number) =>
      drawAutoAugment(createRng(seed), 64, 32, 32, { autoAugment: 'ta_wide' });
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  test('TrivialAugmentWide: one op of 14, uniform, magnitudes from the wide table with both signs', () => {
    const [step] = drawAutoAugment(createRng(1), 14_000, 32, 32, {
      autoAugment: 'ta_wide',
    });
    expect(step).toHaveLength(14_000);
    const space = augmentationSpace('ta_wide', 31, 32, 32);
    const ops = count(step!, (d) => d.op);
    expect([...ops.keys()].sort()).toEqual([...space.keys()].sort());
    for (const n of ops.values()) expect(Math.abs(n - 1000)).toBeLessThan(150);
    for (const d of step!) {
      const { magnitudes, signed } = space.get(d.op)!;
      const m = signed ? Math.abs(d.magnitude) : d.magnitude;
      if (magnitudes.length) expect(magnitudes).toContain(m);
      else expect(d.magnitude).toBe(0);
    }
    const rotations = step!.filter((d) => d.op === 'Rotate');
    const negative = rotations.filter((d) => d.magnitude < 0).length;
    expect(negative / rotations.length).toBeGreaterThan(0.4);
    expect(negative / rotations.length).toBeLessThan(0.6);
    const bins = new Set(rotations.map((d) => Math.abs(d.magnitude)));
    expect(bins.size).toBe(31);
  });

  test('RandAugment: two ops per image at bin 9 (or ra-magnitude), Identity possible, no Invert', () => {
    const steps = drawAutoAugment(createRng(2), 2000, 32, 32, {
      autoAugment: 'ra',
      raMagnitude: 12,
    });
    expect(steps).toHaveLength(2);
    const space = augmentationSpace('ra', 31, 32, 32);
    const all = steps.flat();
    expect(all.some((d) => d.op === 'Identity')).toBe(true);
    expect(all.some((d) => d.op === 'Invert')).toBe(false);
    for (const d of all) {
      const table = space.get(d.op)!.magnitudes;
      expect(Math.abs(d.magnitude)).toBe(table.length ? table[12] : 0);
    }
    expect(() =>
      drawAutoAugment(createRng(2), 4, 32, 32, {
        autoAugment: 'ra',
        raMagnitude: 31,
      }),
    ).toThrow('expected ra-magnitude a whole number 0..30, got 31');
  });

  test('AutoAugment ImageNet: each image one sub-policy, each op with its probability', () => {
    const n = 20_000;
    const [first, second] = drawAutoAugment(createRng(3), n, 32, 32, {
      autoAugment: 'imagenet',
    });
    const space = augmentationSpace('imagenet', 10, 32, 32);
    const allowed = (step: number, d: OpDraw) =>
      d.op === 'Identity' ||
      IMAGENET_POLICY.some(([...ops]) => {
        const [op, , bin] = ops[step]!;
        const table = space.get(op)!.magnitudes;
        return op === d.op && Math.abs(d.magnitude) === (table[bin ?? 0] ?? 0);
      });
    first!.forEach((d) => expect(allowed(0, d)).toBe(true));
    second!.forEach((d) => expect(allowed(1, d)).toBe(true));
    // Expected share of images where the first op runs: mean of the
    // sub-policies' first probabilities.
    const p = IMAGENET_POLICY.reduce((s, [[, q]]) => s + q, 0) / 25;
    const ran = first!.filter((d) => d.op !== 'Identity').length / n;
    expect(Math.abs(ran - p)).toBeLessThan(0.02);
  });
});

describe('standard draws', () => {
  test('RandomResizedCrop boxes lie inside the image, area and ratio in range', () => {
    const rng = createRng(4);
    for (let i = 0; i < 2000; i++) {
      const b = drawResizedCrop(rng, 60, 80);
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top + b.height).toBeLessThanOrEqual(60);
      expect(b.left + b.width).toBeLessThanOrEqual(80);
      // Whole-pixel rounding loosens the bounds a little on small crops.
      const area = (b.height * b.width) / (60 * 80);
      expect(area).toBeGreaterThan(0.06);
      const ratio = b.width / b.height;
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.7);
    }
  });

  test('after ten failed tries RandomResizedCrop falls back to the central crop', () => {
    let calls = 0;
    const nearOne: Rng = () => (calls++, 0.999999);
    // Area fraction ~1 at ratio ~4/3 is wider than a square image allows.
    expect(drawResizedCrop(nearOne, 30, 30)).toEqual({
      top: 0,
      left: 0,
      height: 30,
      width: 30,
    });
    expect(calls).toBe(20);
  });

  test('flips come up about half the time; jitter factors and orders', () => {
    const flips = drawFlips(createRng(5), 4000);
    const share = flips.filter(Boolean).length / 4000;
    expect(Math.abs(share - 0.5)).toBeLessThan(0.03);
    const jitter = drawColorJitter(createRng(6), 3000);
    const orders = count(jitter, (d) => d.map((o) => o.name).join());
    expect(orders.size).toBe(6);
    for (const draw of jitter) {
      for (const { factor } of draw) {
        expect(factor).toBeGreaterThanOrEqual(0.6);
        expect(factor).toBeLessThan(1.4);
      }
    }
    const alphas = drawLighting(createRng(7), 5000).flat();
    const sd = Math.sqrt(alphas.reduce((s, a) => s + a * a, 0) / alphas.length);
    expect(Math.abs(sd - 0.1)).toBeLessThan(0.005);
  });
});

describe('batched application', () => {
  const batch = () =>
    tf.tidy(() =>
      tf.floor(tf.randomUniform([6, 20, 20, 3], 0, 256, 'float32', 9)),
    ) as tf.Tensor4D;

  test('policies keep integers in 0..255, the shape, and leak no tensors', async () => {
    const x = batch();
    const before = tf.memory().numTensors;
    for (const autoAugment of ['ta_wide', 'ra', 'imagenet'] as const) {
      const out = autoAugmentBatch(x, createRng(10), { autoAugment });
      expect(out.shape).toEqual(x.shape);
      const values = await out.data();
      out.dispose();
      const bad = values.filter(
        (v) => !Number.isInteger(v) || v < 0 || v > 255,
      );
      expect(bad).toHaveLength(0);
    }
    const draws = drawStandard(createRng(11), 6, 20, 20, true);
    const out = applyStandard(x, draws, 16);
    expect(out.shape).toEqual([6, 16, 16, 3]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test('each image gets its own op, the order of the batch kept', async () => {
    const x = batch();
    const ops = [
      { kind: 'invert' },
      { kind: 'identity' },
      { kind: 'invert' },
      { kind: 'posterize', bits: 1 },
      { kind: 'identity' },
      { kind: 'posterize', bits: 2 },
    ] as const;
    const got = tf.split(applyPixelOps(x, ops), 6);
    const images = tf.split(x, 6);
    const wanted = [
      tf.sub(255, images[0]!),
      images[1]!,
      tf.sub(255, images[2]!),
      tf.mul(tf.floor(tf.div(images[3]!, 128)), 128),
      images[4]!,
      tf.mul(tf.floor(tf.div(images[5]!, 64)), 64),
    ];
    for (let i = 0; i < 6; i++) {
      expect(await got[i]!.data()).toEqual(await wanted[i]!.data());
    }
    tf.dispose([...got, ...images, ...wanted, x]);
  });

  test('bad input is refused with what was expected', () => {
    const x = batch();
    expect(() => applyPixelOps(x, [{ kind: 'invert' }])).toThrow(
      'expected 6 ops, one per image, got 1',
    );
    expect(() => resizeCenterCrop(x, 20, 24)).toThrow(
      'expected a crop no larger than the resized 20x20 image, got 24',
    );
    const gray = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => lighting(gray, [[0, 0, 0]])).toThrow(
      'expected RGB images for lighting, got 1 channels',
    );
    tf.dispose([x, gray]);
  });
});

describe('the train and eval pipelines', () => {
  test('train: crop and flip, then the policy, from one seed', async () => {
    const x = tf.tidy(() =>
      tf.floor(tf.randomUniform([5, 24, 24, 3], 0, 256, 'float32', 4)),
    ) as tf.Tensor4D;
    const options = { imageSize: 16, autoAugment: 'ta_wide' as const };
    const stored = { height: 24, width: 24 };
    const draws = drawTrainAugment(createRng(8), 5, stored, options);
    expect(draws).toEqual(drawTrainAugment(createRng(8), 5, stored, options));
    const before = tf.memory().numTensors;
    const out = applyTrainAugment(x, draws, options);
    const cropped = applyStandard(x, draws.crop, 16);
    const wanted = applyOpDraws(cropped, draws.policy);
    expect(out.shape).toEqual([5, 16, 16, 3]);
    expect(await out.data()).toEqual(await wanted.data());
    tf.dispose([out, cropped, wanted]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test('train without crop-flip: images whole and unflipped, policy still drawn', async () => {
    const x = tf.tidy(() =>
      tf.floor(tf.randomUniform([4, 16, 16, 1], 0, 256, 'float32', 5)),
    ) as tf.Tensor4D;
    const stored = { height: 16, width: 16 };
    const plain = { imageSize: 16, autoAugment: null, cropFlip: false };
    const draws = drawTrainAugment(createRng(3), 4, stored, plain);
    const whole = { top: 0, left: 0, height: 16, width: 16 };
    expect(draws.crop.boxes).toEqual([whole, whole, whole, whole]);
    expect(draws.crop.flips).toEqual([false, false, false, false]);
    // At the stored size a whole, unflipped image comes back as it was.
    const out = applyTrainAugment(x, draws, plain);
    expect(await out.data()).toEqual(await x.data());
    const withPolicy = { ...plain, autoAugment: 'ta_wide' as const };
    const drawn = drawTrainAugment(createRng(3), 4, stored, withPolicy);
    expect(drawn.crop.boxes).toEqual(draws.crop.boxes);
    expect(drawn.policy.flat()).toHaveLength(4);
    // With crop-flip on, the same seed crops.
    const cropped = drawTrainAugment(createRng(3), 4, stored, {
      ...plain,
      cropFlip: true,
    });
    expect(cropped.crop.boxes).not.toEqual(draws.crop.boxes);
    tf.dispose([x, out]);
  });

  test('normalisation agrees with the CPU normalisation of uploadBatch', async () => {
    const pixels = Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i * 5);
    const batch = { size: 2, pixels, labels: new Int32Array([0, 1]) };
    const stored = { height: 4, width: 4, channels: 3 };
    const { x: wanted, labels } = uploadBatch(batch, stored, 4);
    const raw = tf.tensor4d(Float32Array.from(pixels), [2, 4, 4, 3]);
    const { mean, std } = normalization({ height: 1, width: 1, channels: 3 });
    const got = normalizeImages(raw, mean, std);
    const a = await got.data();
    const b = await wanted.data();
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5));
    expect(() => normalizeImages(raw, [0.5], [0.5])).toThrow(
      'expected 3 means and standard deviations, got 1 and 1',
    );
    tf.dispose([wanted, labels, raw, got]);
  });

  test("a dataset's measured statistics replace the defaults", () => {
    const stats = { mean: [0.25], std: [0.4] };
    const gray = { height: 1, width: 1, channels: 1 };
    expect(normalization({ ...gray, pixelStats: stats })).toEqual(stats);
    expect(normalization(gray)).toEqual({ mean: [0.5], std: [0.5] });
    // Statistics of another channel count are not used.
    const rgb = { ...gray, channels: 3, pixelStats: stats };
    expect(normalization(rgb).mean).toEqual([0.485, 0.456, 0.406]);
  });
});
