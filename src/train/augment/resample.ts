// Crops and bilinear resizes of a batch, each image with its own window,
// matching torchvision's tensor `resized_crop`/`resize` (ATen's
// upsample_bilinear2d, align_corners=False, no antialiasing) followed by the
// rounding back to uint8. Separable: the host computes, per image and output
// row/column, the two source indices and weights in float32 as ATen does;
// the GPU gathers rows, then columns, and blends. A horizontal flip is the
// column map read backwards, so crop, resize and flip are one resampling.
import * as tf from '@tensorflow/tfjs';

const f32 = Math.fround;

/** Per output index: two source indices and their weights. */
export interface AxisMap {
  index0: Int32Array;
  index1: Int32Array;
  weight0: Float32Array;
  weight1: Float32Array;
}

/**
 * ATen's linear source indices for resizing `inSize` to `outSize`, shifted
 * by `offset` (the crop's start), for output indices from `outStart`. The
 * scale is float32; the source position `scale * (i + 0.5) - 0.5` is
 * rounded to float32 once, as ATen computes it with a double 0.5.
 */
export function linearAxisMap(
  inSize: number,
  outSize: number,
  offset = 0,
  outStart = 0,
  count = outSize - outStart,
): AxisMap {
  const scale = f32(inSize / outSize);
  const map: AxisMap = {
    index0: new Int32Array(count),
    index1: new Int32Array(count),
    weight0: new Float32Array(count),
    weight1: new Float32Array(count),
  };
  for (let k = 0; k < count; k++) {
    const i = outStart + k;
    const src = Math.max(0, f32(scale * (i + 0.5) - 0.5));
    const i0 = Math.floor(src);
    const lambda = f32(src - i0);
    map.index0[k] = offset + i0;
    map.index1[k] = offset + (i0 < inSize - 1 ? i0 + 1 : i0);
    map.weight1[k] = lambda;
    map.weight0[k] = f32(1 - lambda);
  }
  return map;
}

/** The same map read backwards: a horizontal flip of the output. */
export function reversed(map: AxisMap): AxisMap {
  return {
    index0: map.index0.slice().reverse(),
    index1: map.index1.slice().reverse(),
    weight0: map.weight0.slice().reverse(),
    weight1: map.weight1.slice().reverse(),
  };
}

function stack(maps: readonly AxisMap[], key: keyof AxisMap): number[] {
  return maps.flatMap((m) => Array.from(m[key]));
}

/**
 * Resamples each image through its own row and column maps (all maps of
 * one axis the same length) and rounds half to even. In the order ATen
 * uses: along the width first, then `w0 * top + w1 * bottom`.
 */
export function resampleBilinear(
  x: tf.Tensor4D,
  rows: readonly AxisMap[],
  cols: readonly AxisMap[],
): tf.Tensor4D {
  const n = x.shape[0];
  if (rows.length !== n || cols.length !== n) {
    throw new Error(
      `expected ${n} row and column maps, one per image, got ` +
        `${rows.length} and ${cols.length}`,
    );
  }
  const outH = rows[0]!.index0.length;
  const outW = cols[0]!.index0.length;
  return tf.tidy(() => {
    const rowIndex = (key: 'index0' | 'index1') =>
      tf.tensor2d(stack(rows, key), [n, outH], 'int32');
    const colIndex = (key: 'index0' | 'index1') =>
      tf.tensor2d(stack(cols, key), [n, outW], 'int32');
    const rowWeight = (key: 'weight0' | 'weight1') =>
      tf.tensor4d(stack(rows, key), [n, outH, 1, 1]);
    const colWeight = (key: 'weight0' | 'weight1') =>
      tf.tensor4d(stack(cols, key), [n, 1, outW, 1]);
    const c0 = colIndex('index0');
    const c1 = colIndex('index1');
    const w0 = colWeight('weight0');
    const w1 = colWeight('weight1');
    const alongWidth = (picked: tf.Tensor) =>
      tf.add(
        tf.mul(tf.gather(picked, c0, 2, 1), w0),
        tf.mul(tf.gather(picked, c1, 2, 1), w1),
      );
    const top = alongWidth(tf.gather(x, rowIndex('index0'), 1, 1));
    const bottom = alongWidth(tf.gather(x, rowIndex('index1'), 1, 1));
    const out = tf.add(
      tf.mul(top, rowWeight('weight0')),
      tf.mul(bottom, rowWeight('weight1')),
    );
    return tf.round(out) as tf.Tensor4D;
  });
}

/** A crop window in pixels: torchvision's (i, j, h, w). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * torchvision's `resized_crop` to `size` x `size` for each image's own
 * box, then a horizontal flip where `flips[i]` holds.
 */
export function resizedCropFlip(
  x: tf.Tensor4D,
  boxes: readonly CropBox[],
  flips: readonly boolean[],
  size: number,
): tf.Tensor4D {
  const rows = boxes.map((b) => linearAxisMap(b.height, size, b.top));
  const cols = boxes.map((b, i) => {
    const map = linearAxisMap(b.width, size, b.left);
    return flips[i] ? reversed(map) : map;
  });
  return resampleBilinear(x, rows, cols);
}

/**
 * torchvision's `Resize(resizeSize)` (shorter side to `resizeSize`, the
 * longer scaled and truncated) then `CenterCrop(cropSize)`, as one
 * resampling of the whole batch. The crop must fit inside the resized image.
 */
export function resizeCenterCrop(
  x: tf.Tensor4D,
  resizeSize: number,
  cropSize: number,
): tf.Tensor4D {
  const [n, height, width] = x.shape;
  const short = Math.min(height, width);
  const long = Math.max(height, width);
  const scaledLong = Math.trunc((resizeSize * long) / short);
  const outH = height <= width ? resizeSize : scaledLong;
  const outW = height <= width ? scaledLong : resizeSize;
  if (cropSize > outH || cropSize > outW) {
    throw new Error(
      `expected a crop no larger than the resized ${outH}x${outW} image, ` +
        `got ${cropSize}`,
    );
  }
  // Python's round() of the margin, which rounds half to even.
  const top = roundHalfEven((outH - cropSize) / 2);
  const left = roundHalfEven((outW - cropSize) / 2);
  const rows = linearAxisMap(height, outH, 0, top, cropSize);
  const cols = linearAxisMap(width, outW, 0, left, cropSize);
  return resampleBilinear(x, Array(n).fill(rows), Array(n).fill(cols));
}

/** Python's round(): to the nearest integer, ties to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
