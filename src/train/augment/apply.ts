// One augmentation step over a batch where each image has its own op: the
// images are grouped by op, each group runs once with its per-sample
// parameters, and a final gather puts the images back in batch order. All
// geometric ops share one group, since each is an affine matrix.
import * as tf from '@tensorflow/tfjs';
import { affineBatch, type AffineMatrix, type Interpolation } from './affine';
import {
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustSharpness,
  autoContrast,
  equalize,
  invert,
  posterize,
  solarize,
} from './pixel-ops';

/** One image's op with its parameter, in the terms of the op itself. */
export type PixelOp =
  | { kind: 'identity' }
  | { kind: 'affine'; matrix: AffineMatrix }
  | { kind: 'brightness'; factor: number }
  | { kind: 'saturation'; factor: number }
  | { kind: 'contrast'; factor: number }
  | { kind: 'sharpness'; factor: number }
  | { kind: 'posterize'; bits: number }
  | { kind: 'solarize'; threshold: number }
  | { kind: 'autocontrast' }
  | { kind: 'equalize' }
  | { kind: 'invert' };

type Kind = PixelOp['kind'];
type OpOf<K extends Kind> = Extract<PixelOp, { kind: K }>;

function runGroup(
  x: tf.Tensor4D,
  ops: readonly PixelOp[],
  interpolation: Interpolation,
): tf.Tensor4D {
  const all = <K extends Kind>(_: K) => ops as readonly OpOf<K>[];
  switch (ops[0]!.kind) {
    case 'identity':
      return x.clone();
    case 'affine':
      return affineBatch(
        x,
        all('affine').map((o) => o.matrix),
        interpolation,
      );
    case 'brightness':
      return adjustBrightness(
        x,
        all('brightness').map((o) => o.factor),
      );
    case 'saturation':
      return adjustSaturation(
        x,
        all('saturation').map((o) => o.factor),
      );
    case 'contrast':
      return adjustContrast(
        x,
        all('contrast').map((o) => o.factor),
      );
    case 'sharpness':
      return adjustSharpness(
        x,
        all('sharpness').map((o) => o.factor),
      );
    case 'posterize':
      return posterize(
        x,
        all('posterize').map((o) => o.bits),
      );
    case 'solarize':
      return solarize(
        x,
        all('solarize').map((o) => o.threshold),
      );
    case 'autocontrast':
      return autoContrast(x);
    case 'equalize':
      return equalize(x);
    case 'invert':
      return invert(x);
  }
}

/**
 * Applies `ops[i]` to image i. The cost is one run of each op that occurs,
 * plus two gathers when more than one op occurs. Returns a new tensor.
 */
export function applyPixelOps(
  x: tf.Tensor4D,
  ops: readonly PixelOp[],
  interpolation: Interpolation = 'nearest',
): tf.Tensor4D {
  const n = x.shape[0];
  if (ops.length !== n) {
    throw new Error(`expected ${n} ops, one per image, got ${ops.length}`);
  }
  const groups = new Map<Kind, number[]>();
  ops.forEach((op, i) => {
    const group = groups.get(op.kind);
    if (group) group.push(i);
    else groups.set(op.kind, [i]);
  });
  if (groups.size === 1) return runGroup(x, ops, interpolation);
  return tf.tidy(() => {
    const order: number[] = [];
    const parts = [...groups.values()].map((members) => {
      order.push(...members);
      const part = tf.gather(x, members);
      const partOps = members.map((i) => ops[i]!);
      return runGroup(part, partOps, interpolation);
    });
    const back = new Int32Array(n);
    order.forEach((image, position) => (back[image] = position));
    return tf.gather(tf.concat(parts), back);
  });
}

/** Applies a sequence of steps, each with one op per image. */
export function applyPixelSteps(
  x: tf.Tensor4D,
  steps: readonly (readonly PixelOp[])[],
  interpolation: Interpolation = 'nearest',
): tf.Tensor4D {
  let out = x.clone();
  for (const ops of steps) {
    const next = applyPixelOps(out, ops, interpolation);
    out.dispose();
    out = next;
  }
  return out;
}
