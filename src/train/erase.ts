// Random erasing as torchvision's RandomErasing(p, scale=(0.02, 0.33),
// ratio=(0.3, 3.3), value=0) does it in the reference's train preset: on the
// normalized image, each sample on its own. The draw (RandomErasing's
// get_params): up to 10 attempts of an area fraction uniform in `scale` and
// an aspect ratio log-uniform in `ratio`; h = round(sqrt(area * ratio)),
// w = round(sqrt(area / ratio)) with Python's round (half to even); an
// attempt counts only when h < H and w < W, and then the top-left corner is
// uniform over the positions that fit. After 10 failed attempts the image is
// left as it is. Draws come from our generator; applying them runs as tfjs
// ops on the whole NHWC batch with no readback.
import * as tf from '@tensorflow/tfjs';
import { randomInt, type Rng } from '../lib/random';

export interface RandomErasingParams {
  /** `--random-erase`: the probability that a sample is erased. */
  randomErase: number;
  scale: readonly [number, number];
  ratio: readonly [number, number];
  value: number;
}

export const REFERENCE_ERASING: Omit<RandomErasingParams, 'randomErase'> = {
  scale: [0.02, 0.33],
  ratio: [0.3, 3.3],
  value: 0,
};

/** A rectangle of rows [top, top + height), columns [left, left + width). */
export interface EraseRect {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Python's round(): to the nearest integer, ties to the even one. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** RandomErasing.get_params for an H x W image; null when nothing fits. */
export function drawEraseRect(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number] = REFERENCE_ERASING.scale,
  ratio: readonly [number, number] = REFERENCE_ERASING.ratio,
): EraseRect | null {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const eraseArea = area * uniform(rng, scale[0], scale[1]);
    const aspect = Math.exp(uniform(rng, logRatio[0], logRatio[1]));
    const h = roundHalfEven(Math.sqrt(eraseArea * aspect));
    const w = roundHalfEven(Math.sqrt(eraseArea / aspect));
    if (!(h < height && w < width)) continue;
    const top = randomInt(rng, height - h + 1);
    const left = randomInt(rng, width - w + 1);
    return { top, left, height: h, width: w };
  }
  return null;
}

/** Per-sample draws for a batch: null where a sample is left alone. */
export function drawErasing(
  rng: Rng,
  batchSize: number,
  height: number,
  width: number,
  params: RandomErasingParams,
): (EraseRect | null)[] {
  const rects: (EraseRect | null)[] = [];
  for (let n = 0; n < batchSize; n++) {
    const erase = rng() < params.randomErase;
    rects.push(
      erase
        ? drawEraseRect(rng, height, width, params.scale, params.ratio)
        : null,
    );
  }
  return rects;
}

/** Sets each sample's rectangle to `value` (null: sample unchanged). */
export function applyErasing(
  x: tf.Tensor4D,
  rects: readonly (EraseRect | null)[],
  value = 0,
): tf.Tensor4D {
  const [n, height, width] = x.shape;
  if (rects.length !== n) {
    throw new Error(
      `expected one rectangle or null per sample (${n}), got ${rects.length}`,
    );
  }
  const bounds = new Int32Array(4 * n);
  rects.forEach((r, i) => {
    if (!r) return;
    bounds.set([r.top, r.top + r.height, r.left, r.left + r.width], 4 * i);
  });
  return tf.tidy(() => {
    const b = tf.tensor2d(bounds, [n, 4], 'int32');
    const edge = (k: number) => b.slice([0, k], [n, 1]).reshape([n, 1, 1, 1]);
    const rows = tf.range(0, height, 1, 'int32').reshape([1, height, 1, 1]);
    const cols = tf.range(0, width, 1, 'int32').reshape([1, 1, width, 1]);
    const inRows = rows.greaterEqual(edge(0)).logicalAnd(rows.less(edge(1)));
    const inCols = cols.greaterEqual(edge(2)).logicalAnd(cols.less(edge(3)));
    const fill: tf.Tensor = tf.scalar(value, x.dtype);
    const mask = inRows.logicalAnd(inCols);
    return tf.where(mask, fill, x as tf.Tensor) as tf.Tensor4D;
  });
}

/** Draws from `rng` and applies: the preset's last step, for a batch. */
export function randomErasing(
  x: tf.Tensor4D,
  params: RandomErasingParams,
  rng: Rng,
): tf.Tensor4D {
  const [n, height, width] = x.shape;
  return applyErasing(
    x,
    drawErasing(rng, n, height, width, params),
    params.value,
  );
}
