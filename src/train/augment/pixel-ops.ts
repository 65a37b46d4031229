// Colour and histogram ops of torchvision's autoaugment, batched, as tfjs
// ops. Images are float32 NHWC tensors holding the integer values 0..255 of
// uint8 pixels, before normalisation. Every op returns integer values again,
// rounded the way torchvision's functional_tensor.py does on uint8 tensors:
// blends are clamped to 0..255 and truncated (`.to(torch.uint8)`), filtered
// images are rounded half to even. Each op takes one parameter per sample.
//
// Float order matters where a result is truncated: a blend written as
// `r * a + (1 - r) * b` must be evaluated in exactly that order, in float32,
// or a value that should land on an integer can fall just below it.
import * as tf from '@tensorflow/tfjs';

/** A per-sample scalar as an [n, 1, 1, 1] tensor that broadcasts. */
export function perSample(values: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(values.slice(), [values.length, 1, 1, 1]);
}

/**
 * torchvision's `_blend` on uint8 images: `ratio * a + (1 - ratio) * b`,
 * clamped to 0..255 and truncated. `1 - ratio` is computed in double
 * precision before it is stored as float32, as Python computes it.
 */
export function blend(
  a: tf.Tensor4D,
  b: tf.Tensor,
  ratios: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => {
    const r = perSample(ratios);
    const q = perSample(ratios.map((ratio) => 1 - ratio));
    const mixed = tf.add(tf.mul(r, a), tf.mul(q, b));
    return tf.floor(tf.clipByValue(mixed, 0, 255)) as tf.Tensor4D;
  });
}

/**
 * torchvision's `rgb_to_grayscale` on uint8: ITU-R 601 weights, truncated.
 * One-channel images are returned as they are.
 */
export function grayscale(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] === 1) return x.clone();
  return tf.tidy(() => {
    const [r, g, b] = tf.split(x, 3, 3) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor,
    ];
    const rg = tf.add(tf.mul(r, 0.2989), tf.mul(g, 0.587));
    return tf.floor(tf.add(rg, tf.mul(b, 0.114))) as tf.Tensor4D;
  });
}

/** Blends with black: factor 0 is black, 1 the image. */
export function adjustBrightness(
  x: tf.Tensor4D,
  factors: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => blend(x, tf.zerosLike(x), factors));
}

/** Blends with the grayscale image (torchvision's saturation, "Color"). */
export function adjustSaturation(
  x: tf.Tensor4D,
  factors: readonly number[],
): tf.Tensor4D {
  if (x.shape[3] === 1) return x.clone();
  return tf.tidy(() => blend(x, grayscale(x), factors));
}

/**
 * Blends with the mean of the truncated grayscale image. The sum of
 * integers below 2^24 is exact in float32 in any order, so the mean agrees
 * with PyTorch's to the last bit.
 */
export function adjustContrast(
  x: tf.Tensor4D,
  factors: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => {
    const gray = grayscale(x);
    const count = gray.shape[1] * gray.shape[2] * gray.shape[3];
    const mean = tf.div(tf.sum(gray, [1, 2, 3], true), count);
    return blend(x, mean, factors);
  });
}

/**
 * Blends with a smoothed image: a 3x3 filter (1s around a 5, over 13),
 * rounded, on the interior only; the one-pixel border keeps the original.
 */
export function adjustSharpness(
  x: tf.Tensor4D,
  factors: readonly number[],
): tf.Tensor4D {
  const [, height, width, channels] = x.shape;
  if (height <= 2 || width <= 2) return x.clone();
  return tf.tidy(() => {
    const weights = Array.from({ length: 9 }, (_, i) => (i === 4 ? 5 : 1));
    const taps = weights.flatMap((w) => Array(channels).fill(w / 13));
    const kernel = tf.tensor4d(taps, [3, 3, channels, 1]);
    const smooth = tf.round(tf.depthwiseConv2d(x, kernel, 1, 'valid'));
    const pad: [number, number][] = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const inner = tf.ones([1, height - 2, width - 2, 1]);
    const border = tf.sub(1, tf.pad(inner, pad));
    const degenerate = tf.add(tf.mul(x, border), tf.pad(smooth, pad));
    return blend(x, degenerate, factors);
  });
}

/** Keeps the top `bits` bits of each value (torchvision's `img & mask`). */
export function posterize(
  x: tf.Tensor4D,
  bits: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => {
    const step = perSample(bits.map((b) => 2 ** (8 - b)));
    return tf.mul(tf.floorDiv(x, step), step) as tf.Tensor4D;
  });
}

/** Inverts every value at or above the sample's threshold. */
export function solarize(
  x: tf.Tensor4D,
  thresholds: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => {
    const high = tf.greaterEqual(x, perSample(thresholds));
    return tf.where(high, tf.sub(255, x), x) as tf.Tensor4D;
  });
}

export function invert(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(255, x));
}

/**
 * Stretches each channel of each image to 0..255; a constant channel is
 * left as it is (torchvision replaces the infinite scale by 1, min by 0).
 */
export function autoContrast(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const low = tf.min(x, [1, 2], true);
    const range = tf.sub(tf.max(x, [1, 2], true), low);
    const flat = tf.lessEqual(range, 0);
    // Python's `255.0 / t` is `reciprocal(t) * 255` in PyTorch, which can
    // differ from a true division in the last bit, and so after truncation.
    const inverse = tf.reciprocal(tf.maximum(range, 1));
    const scale = tf.where(flat, 1, tf.mul(inverse, 255));
    const shift = tf.where(flat, 0, low);
    const stretched = tf.mul(tf.sub(x, shift), scale);
    return tf.floor(tf.clipByValue(stretched, 0, 255)) as tf.Tensor4D;
  });
}

/**
 * Histogram equalisation per image and channel, as torchvision's
 * `_scale_channel`: step = (pixels - count of the top value) // 255,
 * lut[v] = (pixels below v + step // 2) // step, identity when step is 0.
 * All in integers below 2^24, so float32 holds them exactly; floorDiv
 * keeps the quotients exact on GPUs, whose float division may be off by an
 * ulp and so truncate an exact quotient to the integer below.
 */
export function equalize(x: tf.Tensor4D): tf.Tensor4D {
  const [n, height, width, channels] = x.shape;
  const pixels = height * width;
  return tf.tidy(() => {
    const rows = tf.transpose(x, [0, 3, 1, 2]).reshape([n * channels, pixels]);
    const values = rows.toInt() as tf.Tensor2D;
    const hist = tf.denseBincount(values, tf.tensor2d([], [0, 0]), 256);
    const top = tf.oneHot(tf.max(values, 1), 256);
    const topCount = tf.sum(tf.mul(hist, top), 1, true);
    const step = tf.floorDiv(tf.sub(pixels, topCount), 255);
    const below = tf.cumsum(hist, 1, true);
    const half = tf.floorDiv(step, 2);
    const scaled = tf.floorDiv(tf.add(below, half), tf.maximum(step, 1));
    const identity = tf.range(0, 256).reshape([1, 256]);
    const lut = tf.where(
      tf.equal(step, 0),
      identity,
      tf.clipByValue(scaled, 0, 255),
    );
    const offsets = tf.range(0, n * channels * 256, 256, 'int32');
    const index = tf.add(values, offsets.reshape([-1, 1]));
    const mapped = tf.gather(lut.reshape([-1]), index.reshape([-1]));
    const out = mapped.reshape([n, channels, height, width]);
    return tf.transpose(out, [0, 2, 3, 1]) as tf.Tensor4D;
  });
}
