// The auto-augment policies of torchvision's transforms/autoaugment.py as
// data: each policy's op table (magnitude bins and whether the sign is
// drawn), the ImageNet sub-policies, and per-sample draws from the lab's
// seeded generator. A draw is an op name and a signed magnitude, exactly the
// arguments of torchvision's `_apply_op`; `opToPixelOp` turns it into the
// op's own parameter. Draws are separate from application so that tests can
// fix them.
import * as tf from '@tensorflow/tfjs';
import { inverseAffineMatrix, type Interpolation } from './affine';
import { applyPixelSteps, type PixelOp } from './apply';
import { randomInt, type Rng } from '../../lib/random';

export type OpName =
  | 'Identity'
  | 'ShearX'
  | 'ShearY'
  | 'TranslateX'
  | 'TranslateY'
  | 'Rotate'
  | 'Brightness'
  | 'Color'
  | 'Contrast'
  | 'Sharpness'
  | 'Posterize'
  | 'Solarize'
  | 'AutoContrast'
  | 'Equalize'
  | 'Invert';

/** The values of the reference's `--auto-augment` flag that the lab has. */
export type AutoAugmentPolicyName = 'ta_wide' | 'ra' | 'imagenet';
export const AUTO_AUGMENT_POLICIES: readonly AutoAugmentPolicyName[] = [
  'ta_wide',
  'ra',
  'imagenet',
];

/** One image's op: `_apply_op(img, op, magnitude)` in torchvision. */
export interface OpDraw {
  op: OpName;
  magnitude: number;
}

export interface OpSpace {
  /** Magnitudes by bin; empty for ops without one. */
  magnitudes: readonly number[];
  signed: boolean;
}

/**
 * torch.linspace in float32 as ATen computes it: from the start for the
 * first half, back from the end for the second.
 */
function linspace(start: number, end: number, steps: number): number[] {
  const f = Math.fround;
  const step = f(f(f(end) - f(start)) / (steps - 1));
  return Array.from({ length: steps }, (_, i) =>
    i < steps / 2
      ? f(f(start) + f(step * i))
      : f(f(end) - f(step * (steps - 1 - i))),
  );
}

/** `8 - round(arange(bins) / ((bins - 1) / levels))`, half to even. */
function posterizeBits(bins: number, levels: number): number[] {
  return Array.from({ length: bins }, (_, i) => {
    const v = i / ((bins - 1) / levels);
    const r = Math.round(v);
    return 8 - (Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r);
  });
}

const none: OpSpace = { magnitudes: [], signed: false };

/**
 * An op table in torchvision's order (draws index into it). TrivialAugment
 * Wide has its own wide ranges; RandAugment and AutoAugment share theirs,
 * with translations of 150/331 of the image side, and AutoAugment adds
 * Invert and drops Identity.
 */
export function augmentationSpace(
  policy: AutoAugmentPolicyName,
  numBins: number,
  height: number,
  width: number,
): Map<OpName, OpSpace> {
  const signed = (end: number): OpSpace => ({
    magnitudes: linspace(0, end, numBins),
    signed: true,
  });
  const wide = policy === 'ta_wide';
  const entries: [OpName, OpSpace][] = [
    ['Identity', none],
    ['ShearX', signed(wide ? 0.99 : 0.3)],
    ['ShearY', signed(wide ? 0.99 : 0.3)],
    ['TranslateX', signed(wide ? 32 : (150 / 331) * width)],
    ['TranslateY', signed(wide ? 32 : (150 / 331) * height)],
    ['Rotate', signed(wide ? 135 : 30)],
    ['Brightness', signed(wide ? 0.99 : 0.9)],
    ['Color', signed(wide ? 0.99 : 0.9)],
    ['Contrast', signed(wide ? 0.99 : 0.9)],
    ['Sharpness', signed(wide ? 0.99 : 0.9)],
    [
      'Posterize',
      { magnitudes: posterizeBits(numBins, wide ? 6 : 4), signed: false },
    ],
    ['Solarize', { magnitudes: linspace(255, 0, numBins), signed: false }],
    ['AutoContrast', none],
    ['Equalize', none],
  ];
  if (policy === 'imagenet') entries.push(['Invert', none]);
  const space = new Map(entries);
  if (policy === 'imagenet') space.delete('Identity');
  return space;
}

/** ImageNet sub-policies: two (op, probability, magnitude bin) each. */
type SubPolicyOp = readonly [OpName, number, number | null];
export const IMAGENET_POLICY: readonly (readonly [SubPolicyOp, SubPolicyOp])[] =
  [
    [
      ['Posterize', 0.4, 8],
      ['Rotate', 0.6, 9],
    ],
    [
      ['Solarize', 0.6, 5],
      ['AutoContrast', 0.6, null],
    ],
    [
      ['Equalize', 0.8, null],
      ['Equalize', 0.6, null],
    ],
    [
      ['Posterize', 0.6, 7],
      ['Posterize', 0.6, 6],
    ],
    [
      ['Equalize', 0.4, null],
      ['Solarize', 0.2, 4],
    ],
    [
      ['Equalize', 0.4, null],
      ['Rotate', 0.8, 8],
    ],
    [
      ['Solarize', 0.6, 3],
      ['Equalize', 0.6, null],
    ],
    [
      ['Posterize', 0.8, 5],
      ['Equalize', 1.0, null],
    ],
    [
      ['Rotate', 0.2, 3],
      ['Solarize', 0.6, 8],
    ],
    [
      ['Equalize', 0.6, null],
      ['Posterize', 0.4, 6],
    ],
    [
      ['Rotate', 0.8, 8],
      ['Color', 0.4, 0],
    ],
    [
      ['Rotate', 0.4, 9],
      ['Equalize', 0.6, null],
    ],
    [
      ['Equalize', 0.0, null],
      ['Equalize', 0.8, null],
    ],
    [
      ['Invert', 0.6, null],
      ['Equalize', 1.0, null],
    ],
    [
      ['Color', 0.6, 4],
      ['Contrast', 1.0, 8],
    ],
    [
      ['Rotate', 0.8, 8],
      ['Color', 1.0, 2],
    ],
    [
      ['Color', 0.8, 8],
      ['Solarize', 0.8, 7],
    ],
    [
      ['Sharpness', 0.4, 7],
      ['Invert', 0.6, null],
    ],
    [
      ['ShearX', 0.6, 5],
      ['Equalize', 1.0, null],
    ],
    [
      ['Color', 0.4, 0],
      ['Equalize', 0.6, null],
    ],
    [
      ['Equalize', 0.4, null],
      ['Solarize', 0.2, 4],
    ],
    [
      ['Solarize', 0.6, 5],
      ['AutoContrast', 0.6, null],
    ],
    [
      ['Invert', 0.6, null],
      ['Equalize', 1.0, null],
    ],
    [
      ['Color', 0.6, 4],
      ['Contrast', 1.0, 8],
    ],
    [
      ['Equalize', 0.8, null],
      ['Equalize', 0.6, null],
    ],
  ];

/** Options named after the reference's flags. */
export interface AutoAugmentOptions {
  autoAugment: AutoAugmentPolicyName;
  /** `--ra-magnitude`: RandAugment's bin, 0..30 (reference default 9). */
  raMagnitude?: number;
  /** RandAugment's ops per image (torchvision's num_ops, default 2). */
  raNumOps?: number;
}

function signedDraw(rng: Rng, op: OpName, space: OpSpace, bin: number) {
  const magnitude = space.magnitudes[bin] ?? 0;
  const flip = space.signed && randomInt(rng, 2) === 1;
  return { op, magnitude: flip ? -magnitude : magnitude };
}

/** One op from the table, a bin from 31, a sign where the op has one. */
function drawTrivialAugmentWide(rng: Rng, space: Map<OpName, OpSpace>) {
  const names = [...space.keys()];
  const op = names[randomInt(rng, names.length)]!;
  const opSpace = space.get(op)!;
  const bin = opSpace.magnitudes.length
    ? randomInt(rng, opSpace.magnitudes.length)
    : 0;
  return signedDraw(rng, op, opSpace, bin);
}

function drawRandAugmentOp(
  rng: Rng,
  space: Map<OpName, OpSpace>,
  magnitude: number,
) {
  const names = [...space.keys()];
  const op = names[randomInt(rng, names.length)]!;
  return signedDraw(rng, op, space.get(op)!, magnitude);
}

/** A sub-policy, then each of its ops with its probability (else Identity). */
function drawImageNetOps(rng: Rng, space: Map<OpName, OpSpace>): OpDraw[] {
  const sub = IMAGENET_POLICY[randomInt(rng, IMAGENET_POLICY.length)]!;
  return sub.map(([op, p, bin]) => {
    const apply = rng() <= p;
    const draw = signedDraw(rng, op, space.get(op)!, bin ?? 0);
    return apply ? draw : { op: 'Identity' as const, magnitude: 0 };
  });
}

/**
 * Per-sample draws for `numSamples` images of `height` x `width`: one list
 * per step (TrivialAugmentWide has one step, RandAugment `raNumOps`,
 * AutoAugment two), each with one draw per image.
 */
export function drawAutoAugment(
  rng: Rng,
  numSamples: number,
  height: number,
  width: number,
  options: AutoAugmentOptions,
): OpDraw[][] {
  const { autoAugment, raMagnitude = 9, raNumOps = 2 } = options;
  const perImage = (draw: () => OpDraw[]) => {
    const images = Array.from({ length: numSamples }, draw);
    return images[0]!.map((_, step) => images.map((ops) => ops[step]!));
  };
  if (numSamples === 0) return [];
  if (autoAugment === 'ta_wide') {
    const space = augmentationSpace('ta_wide', 31, height, width);
    return perImage(() => [drawTrivialAugmentWide(rng, space)]);
  }
  if (autoAugment === 'ra') {
    if (!Number.isInteger(raMagnitude) || raMagnitude < 0 || raMagnitude > 30) {
      throw new Error(
        `expected ra-magnitude a whole number 0..30, got ${raMagnitude}`,
      );
    }
    const space = augmentationSpace('ra', 31, height, width);
    return perImage(() =>
      Array.from({ length: raNumOps }, () =>
        drawRandAugmentOp(rng, space, raMagnitude),
      ),
    );
  }
  const space = augmentationSpace('imagenet', 10, height, width);
  return perImage(() => drawImageNetOps(rng, space));
}

/**
 * An op draw as the op's own parameter, as torchvision's `_apply_op` turns
 * it into a call: shears take atan of the magnitude (in degrees) about the
 * top-left corner, translations truncate it to whole pixels, rotation turns
 * counter-clockwise, the four blends take 1 + magnitude as their factor.
 */
export function opToPixelOp(
  draw: OpDraw,
  height: number,
  width: number,
): PixelOp {
  const m = draw.magnitude;
  const corner = [-width / 2, -height / 2] as const;
  const shear = (Math.atan(m) * 180) / Math.PI;
  const affine = (
    center: readonly [number, number],
    angle: number,
    translate: readonly [number, number],
    shears: readonly [number, number],
  ): PixelOp => ({
    kind: 'affine',
    matrix: inverseAffineMatrix(center, angle, translate, 1, shears),
  });
  switch (draw.op) {
    case 'Identity':
      return { kind: 'identity' };
    case 'ShearX':
      return affine(corner, 0, [0, 0], [shear, 0]);
    case 'ShearY':
      return affine(corner, 0, [0, 0], [0, shear]);
    case 'TranslateX':
      return affine([0, 0], 0, [Math.trunc(m), 0], [0, 0]);
    case 'TranslateY':
      return affine([0, 0], 0, [0, Math.trunc(m)], [0, 0]);
    case 'Rotate':
      return affine([0, 0], -m, [0, 0], [0, 0]);
    case 'Brightness':
      return { kind: 'brightness', factor: 1 + m };
    case 'Color':
      return { kind: 'saturation', factor: 1 + m };
    case 'Contrast':
      return { kind: 'contrast', factor: 1 + m };
    case 'Sharpness':
      return { kind: 'sharpness', factor: 1 + m };
    case 'Posterize':
      return { kind: 'posterize', bits: Math.trunc(m) };
    case 'Solarize':
      return { kind: 'solarize', threshold: m };
    case 'AutoContrast':
      return { kind: 'autocontrast' };
    case 'Equalize':
      return { kind: 'equalize' };
    case 'Invert':
      return { kind: 'invert' };
  }
}

/**
 * Applies given draws (one list per step, one draw per image) to a batch of
 * 0..255 images. Nearest interpolation is torchvision's default for the
 * policies; the reference's train.py passes its `--interpolation`
 * (bilinear by default) instead.
 */
export function applyOpDraws(
  x: tf.Tensor4D,
  draws: readonly (readonly OpDraw[])[],
  interpolation: Interpolation = 'nearest',
): tf.Tensor4D {
  const [, height, width] = x.shape;
  const steps = draws.map((step) =>
    step.map((draw) => opToPixelOp(draw, height, width)),
  );
  return applyPixelSteps(x, steps, interpolation);
}

/** Draws for every image of the batch from `rng`, then applies them. */
export function autoAugmentBatch(
  x: tf.Tensor4D,
  rng: Rng,
  options: AutoAugmentOptions & { interpolation?: Interpolation },
): tf.Tensor4D {
  const [n, height, width] = x.shape;
  const draws = drawAutoAugment(rng, n, height, width, options);
  return applyOpDraws(x, draws, options.interpolation);
}
