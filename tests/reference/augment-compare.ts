// Decoding and comparison helpers for the augmentation reference outputs
// (tests/reference/augment.json), shared by the Node and browser tests.
import * as tf from '@tensorflow/tfjs';
import {
  opToPixelOp,
  toImageTransform,
  type OpDraw,
  type OpName,
} from '../../src/train/augment';
import expectedJson from './augment.json';

interface ReferenceFile {
  images: string;
  wide: string;
  ops: {
    op: OpName;
    magnitude: number;
    interpolation: 'nearest' | 'bilinear';
    out: string;
  }[];
  tables: Record<
    string,
    { op: string; magnitudes: number[]; signed: boolean }[]
  >;
  policies: Record<string, { draws: [OpName, number][][]; out: string }>;
  resizedCrop: {
    size: number;
    boxes: [number, number, number, number][];
    flips: boolean[];
    wide?: boolean;
    out: string;
  }[];
  fallback: { height: number; width: number; box: number[] }[];
  jitter: { draws: [string, number][][]; out: string };
  lighting: { alphas: number[][]; out: string };
  eval: { resize: number; crop: number; wide?: boolean; out: string }[];
}

export const expected = expectedJson as unknown as ReferenceFile;

function bytes(b64: string): Uint8Array {
  const text = atob(b64);
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** base64 NHWC pixels as numbers (uint8, or float32 for lighting). */
export function decodeFloats(
  b64: string,
  kind: 'uint8' | 'float32',
): Float32Array {
  const raw = bytes(b64);
  return kind === 'uint8'
    ? Float32Array.from(raw)
    : new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

export function decodeImages(
  b64: string,
  shape: [number, number, number, number],
): tf.Tensor4D {
  return tf.tensor4d(decodeFloats(b64, 'uint8'), shape);
}

/** How many values differ, and the largest difference. */
export function countDiffs(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tolerance = 0,
): { count: number; max: number; length: number } {
  if (got.length !== want.length) {
    throw new Error(`expected ${want.length} values, got ${got.length}`);
  }
  let count = 0;
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (d > tolerance) count++;
    max = Math.max(max, d);
  }
  return { count, max, length: got.length };
}

/** Recorded _apply_op calls per image as steps, Identity where fewer ran. */
export function toDraws(draws: [OpName, number][][]): OpDraw[][] {
  const steps = Math.max(...draws.map((d) => d.length));
  return Array.from({ length: steps }, (_, s) =>
    draws.map((calls): OpDraw => {
      const call = calls[s];
      return call
        ? { op: call[0], magnitude: call[1] }
        : { op: 'Identity', magnitude: 0 };
    }),
  );
}

/**
 * Pixels of images whose geometric ops put a source position within 1e-3
 * of half-way between two pixels, where nearest sampling may go either way.
 */
export function tiePixels(
  draws: readonly OpDraw[],
  height: number,
  width: number,
): Set<number> {
  const ties = new Set<number>();
  for (const draw of draws) {
    const op = opToPixelOp(draw, height, width);
    if (op.kind !== 'affine') continue;
    const t = toImageTransform(op.matrix, height, width);
    const nearHalf = (v: number) => Math.abs(Math.abs(v % 1) - 0.5) < 1e-3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const sx = t[0]! * x + t[1]! * y + t[2]!;
        const sy = t[3]! * x + t[4]! * y + t[5]!;
        if (nearHalf(sx) || nearHalf(sy)) ties.add(y * width + x);
      }
    }
  }
  return ties;
}

/**
 * Compares images pixel by pixel. A mismatch in an image whose ops include
 * a geometric op with ties counts as a tie when it lies on a tie pixel, or
 * anywhere when a later op mixes pixels (the tie changed its input);
 * every other mismatch is counted in `offTies`.
 */
export function mismatchesOffTies(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  drawsPerImage: readonly (readonly OpDraw[])[],
  shape: { n: number; height: number; width: number },
): { offTies: number; ties: number } {
  const { n, height, width } = shape;
  const channels = got.length / (n * height * width);
  let offTies = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const draws = drawsPerImage[i % drawsPerImage.length]!;
    const tied = tiePixels(draws, height, width);
    const last = draws.findLastIndex(
      (d) => tiePixels([d], height, width).size > 0,
    );
    const mixedAfter = draws.slice(last + 1).some((d) => MIXING.has(d.op));
    for (let p = 0; p < height * width; p++) {
      let differs = false;
      for (let c = 0; c < channels; c++) {
        const k = (i * height * width + p) * channels + c;
        if (got[k] !== want[k]) differs = true;
      }
      if (!differs) continue;
      if (tied.has(p) || (tied.size > 0 && mixedAfter)) ties++;
      else offTies++;
    }
  }
  return { offTies, ties };
}

/** Ops whose output pixel depends on other pixels of the image. */
const MIXING = new Set<OpName>([
  'ShearX',
  'ShearY',
  'TranslateX',
  'TranslateY',
  'Rotate',
  'Contrast',
  'Sharpness',
  'AutoContrast',
  'Equalize',
]);
