// The reference's basic train transform (RandomResizedCrop, horizontal
// flip) and the "standard" augmentation of Bag of Tricks (He et al., 2019:
// those two, then ColorJitter 0.4/0.4/0.4 and AlexNet's PCA lighting
// noise), with draws separate from application. Images are float32 NHWC
// tensors of 0..255 values; every step but lighting returns integers, as
// uint8 images would be. Lighting adds a float offset, so it comes last,
// right before normalisation.
import * as tf from '@tensorflow/tfjs';
import { applyPixelSteps, type PixelOp } from './apply';
import { resizedCropFlip, roundHalfEven, type CropBox } from './resample';
import {
  randomInt,
  shuffleInPlace,
  sampleNormal,
  uniformBetween,
  type Rng,
} from '../../lib/random';

/** RandomResizedCrop's defaults in torchvision. */
export const RESIZED_CROP_SCALE: readonly [number, number] = [0.08, 1];
export const RESIZED_CROP_RATIO: readonly [number, number] = [3 / 4, 4 / 3];

/**
 * torchvision's `RandomResizedCrop.get_params`: up to ten tries of an area
 * fraction in `scale` and a log-uniform aspect ratio in `ratio`; if none
 * fits, the largest centred crop whose ratio is within `ratio`.
 */
export function drawResizedCrop(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number] = RESIZED_CROP_SCALE,
  ratio: readonly [number, number] = RESIZED_CROP_RATIO,
): CropBox {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * uniformBetween(rng, scale[0], scale[1]);
    const aspect = Math.exp(uniformBetween(rng, logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = randomInt(rng, height - h + 1);
      const left = randomInt(rng, width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  return centralCrop(height, width, ratio);
}

/** RandomResizedCrop's fallback: the centred crop nearest in ratio. */
export function centralCrop(
  height: number,
  width: number,
  ratio: readonly [number, number] = RESIZED_CROP_RATIO,
): CropBox {
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) {
    h = roundHalfEven(w / Math.min(...ratio));
  } else if (inRatio > Math.max(...ratio)) {
    w = roundHalfEven(h * Math.max(...ratio));
  }
  const top = Math.floor((height - h) / 2);
  const left = Math.floor((width - w) / 2);
  return { top, left, height: h, width: w };
}

/** One coin per image: flip when a uniform draw falls below `p`. */
export function drawFlips(rng: Rng, numSamples: number, p = 0.5): boolean[] {
  return Array.from({ length: numSamples }, () => rng() < p);
}

export type JitterName = 'brightness' | 'contrast' | 'saturation';

/** ColorJitter strengths: factors are drawn from [1 - s, 1 + s]. */
export interface ColorJitterOptions {
  brightness: number;
  contrast: number;
  saturation: number;
}

export const BAG_OF_TRICKS_JITTER: ColorJitterOptions = {
  brightness: 0.4,
  contrast: 0.4,
  saturation: 0.4,
};

/** One image's jitter: the ops in the order they run, with their factors. */
export type JitterDraw = { name: JitterName; factor: number }[];

/**
 * torchvision's `ColorJitter.get_params`: a random order of the adjustments
 * (its permutation of four with hue left out, which orders the other three
 * uniformly) and a factor for each from [max(0, 1 - s), 1 + s].
 */
export function drawColorJitter(
  rng: Rng,
  numSamples: number,
  options: ColorJitterOptions = BAG_OF_TRICKS_JITTER,
): JitterDraw[] {
  return Array.from({ length: numSamples }, () => {
    const names: JitterName[] = ['brightness', 'contrast', 'saturation'];
    shuffleInPlace(names, rng);
    return names.map((name) => {
      const s = options[name];
      return { name, factor: uniformBetween(rng, Math.max(0, 1 - s), 1 + s) };
    });
  });
}

/** Applies given jitter draws: three steps, each image in its own order. */
export function colorJitter(
  x: tf.Tensor4D,
  draws: readonly JitterDraw[],
): tf.Tensor4D {
  const steps = [0, 1, 2].map((step) =>
    draws.map((draw): PixelOp => {
      const { name, factor } = draw[step]!;
      return { kind: name, factor };
    }),
  );
  return applyPixelSteps(x, steps);
}

/** AlexNet's PCA of ImageNet RGB (on 0..1 pixels), as fb.resnet.torch has. */
export const IMAGENET_PCA = {
  eigval: [0.2175, 0.0188, 0.0045],
  eigvec: [
    [-0.5675, 0.7192, 0.4009],
    [-0.5808, -0.0045, -0.814],
    [-0.5836, -0.6948, 0.4203],
  ],
} as const;

/** Per image, three normal weights with standard deviation `alphastd`. */
export function drawLighting(
  rng: Rng,
  numSamples: number,
  alphastd = 0.1,
): number[][] {
  return Array.from({ length: numSamples }, () =>
    [0, 1, 2].map(() => alphastd * sampleNormal(rng)),
  );
}

/**
 * Adds `eigvec . (alpha * eigval)` to each pixel's RGB, scaled by 255 for
 * 0..255 images. Not rounded or clamped: the reference adds it to float
 * images just before normalising.
 */
export function lighting(
  x: tf.Tensor4D,
  alphas: readonly (readonly number[])[],
): tf.Tensor4D {
  if (x.shape[3] !== 3) {
    throw new Error(
      `expected RGB images for lighting, got ${x.shape[3]} channels`,
    );
  }
  const { eigval, eigvec } = IMAGENET_PCA;
  const offsets = alphas.flatMap((alpha) =>
    eigvec.map(
      (row) =>
        255 * row.reduce((sum, v, j) => sum + v * alpha[j]! * eigval[j]!, 0),
    ),
  );
  return tf.tidy(() =>
    tf.add(x, tf.tensor4d(offsets, [alphas.length, 1, 1, 3])),
  );
}

/** The parameters of one batch of the basic or standard transform. */
export interface StandardDraws {
  boxes: CropBox[];
  flips: boolean[];
  /** Absent for the reference's basic transform. */
  jitter?: JitterDraw[];
  lighting?: number[][];
}

/**
 * Draws for a batch. `standard` adds jitter and lighting to the basic
 * crop and flip; without `cropFlip` every image is taken whole and
 * unflipped (the lab's plain resize) and only the rest is drawn.
 */
export function drawStandard(
  rng: Rng,
  numSamples: number,
  height: number,
  width: number,
  standard: boolean,
  cropFlip = true,
): StandardDraws {
  const whole: CropBox = { top: 0, left: 0, height, width };
  const boxes = Array.from({ length: numSamples }, () =>
    cropFlip ? drawResizedCrop(rng, height, width) : whole,
  );
  const flips = cropFlip
    ? drawFlips(rng, numSamples)
    : new Array<boolean>(numSamples).fill(false);
  if (!standard) return { boxes, flips };
  const jitter = drawColorJitter(rng, numSamples);
  return { boxes, flips, jitter, lighting: drawLighting(rng, numSamples) };
}

/** Crop to `size`, flip, and where drawn, jitter and lighting. */
export function applyStandard(
  x: tf.Tensor4D,
  draws: StandardDraws,
  size: number,
): tf.Tensor4D {
  let out = resizedCropFlip(x, draws.boxes, draws.flips, size);
  if (draws.jitter) {
    const next = colorJitter(out, draws.jitter);
    out.dispose();
    out = next;
  }
  if (draws.lighting) {
    const next = lighting(out, draws.lighting);
    out.dispose();
    out = next;
  }
  return out;
}
