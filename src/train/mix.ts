// MixUp and CutMix on a batch, as the classification reference applies them
// in its data loader (`--mixup-alpha`, `--cutmix-alpha`; RandomMixUp and
// RandomCutMix in references/classification/transforms.py, under
// RandomChoice when both are on; torchvision's v2 MixUp/CutMix do the same):
// - one of the enabled two is chosen uniformly for the whole batch;
// - each sample's partner is the batch rolled by one (sample i - 1, sample
//   0 takes the last), targets are one-hot and mixed the same way;
// - lambda ~ Beta(alpha, alpha);
// - MixUp: x = lambda * x + (1 - lambda) * partner;
// - CutMix: a box centred at (cx, cy), drawn uniformly among pixels, with
//   half-sides int(0.5 * sqrt(1 - lambda) * side), clamped to the image,
//   takes the partner's pixels, and lambda becomes 1 - box area / image area.
// Images are NHWC floats; everything per batch runs as tfjs ops with no
// readback. The draws are plain numbers so tests can fix them.
import * as tf from '@tensorflow/tfjs';
import { randomInt, sampleBeta, type Rng } from '../lib/random';

/** The reference's flags; an alpha of 0 turns that augmentation off. */
export interface MixParams {
  mixupAlpha: number;
  cutmixAlpha: number;
}

export type MixDraw =
  | { kind: 'mixup'; lambda: number }
  | { kind: 'cutmix'; lambda: number; centerX: number; centerY: number };

/** A CutMix box, [x1, x2) x [y1, y2), and the lambda it implies. */
export interface CutmixBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  lambda: number;
}

/** Draws what mixBatch does to one batch; null when both are off. */
export function drawMix(
  rng: Rng,
  params: MixParams,
  height: number,
  width: number,
): MixDraw | null {
  const kinds = (['mixup', 'cutmix'] as const).filter((k) =>
    k === 'mixup' ? params.mixupAlpha > 0 : params.cutmixAlpha > 0,
  );
  if (kinds.length === 0) return null;
  const kind = kinds[randomInt(rng, kinds.length)]!;
  const alpha = kind === 'mixup' ? params.mixupAlpha : params.cutmixAlpha;
  const lambda = sampleBeta(rng, alpha, alpha);
  if (kind === 'mixup') return { kind, lambda };
  const centerX = randomInt(rng, width);
  const centerY = randomInt(rng, height);
  return { kind, lambda, centerX, centerY };
}

/** The box a CutMix draw cuts, clamped, with its recomputed lambda. */
export function cutmixBox(
  draw: { lambda: number; centerX: number; centerY: number },
  height: number,
  width: number,
): CutmixBox {
  const r = 0.5 * Math.sqrt(1 - draw.lambda);
  const halfW = Math.trunc(r * width);
  const halfH = Math.trunc(r * height);
  const x1 = Math.max(draw.centerX - halfW, 0);
  const y1 = Math.max(draw.centerY - halfH, 0);
  const x2 = Math.min(draw.centerX + halfW, width);
  const y2 = Math.min(draw.centerY + halfH, height);
  const lambda = 1 - ((x2 - x1) * (y2 - y1)) / (width * height);
  return { x1, y1, x2, y2, lambda };
}

/** The batch rolled by one along axis 0: out[i] = x[i - 1]. */
function rollByOne<T extends tf.Tensor>(x: T): T {
  const n = x.shape[0]!;
  if (n === 1) return x.clone();
  const last = x.slice(n - 1, 1);
  const rest = x.slice(0, n - 1);
  return tf.concat([last, rest], 0) as T;
}

/** A [1, H, W, 1] boolean mask of the box. */
function boxMask(box: CutmixBox, height: number, width: number): tf.Tensor {
  const rows = tf.range(0, height, 1, 'int32').reshape([1, height, 1, 1]);
  const cols = tf.range(0, width, 1, 'int32').reshape([1, 1, width, 1]);
  const inRows = rows.greaterEqual(box.y1).logicalAnd(rows.less(box.y2));
  const inCols = cols.greaterEqual(box.x1).logicalAnd(cols.less(box.x2));
  return inRows.logicalAnd(inCols);
}

/**
 * Applies given draws to a batch: returns the mixed images and the mixed
 * one-hot targets ([batch, numClasses] floats). With no draw, the images
 * are copied and the targets are plain one-hot.
 */
export function applyMix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  numClasses: number,
  draw: MixDraw | null,
): { x: tf.Tensor4D; targets: tf.Tensor2D } {
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D;
    if (!draw) return { x: x.clone(), targets: onehot };
    const [, height, width] = x.shape;
    let mixed: tf.Tensor4D;
    let lambda = draw.lambda;
    if (draw.kind === 'mixup') {
      mixed = x.mul(lambda).add(rollByOne(x).mul(1 - lambda));
    } else {
      const box = cutmixBox(draw, height, width);
      lambda = box.lambda;
      mixed = tf.where(boxMask(box, height, width), rollByOne(x), x);
    }
    const targets = onehot.mul(lambda).add(rollByOne(onehot).mul(1 - lambda));
    return { x: mixed, targets: targets as tf.Tensor2D };
  });
}

/** Draws from `rng` and applies: the reference's collate-time step. */
export function mixBatch(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  numClasses: number,
  params: MixParams,
  rng: Rng,
): { x: tf.Tensor4D; targets: tf.Tensor2D; draw: MixDraw | null } {
  const draw = drawMix(rng, params, x.shape[1], x.shape[2]);
  return { ...applyMix(x, labels, numClasses, draw), draw };
}
