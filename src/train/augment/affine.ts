// Affine resampling of a batch, each image with its own matrix, with the
// pixel-centre convention of torchvision's functional_tensor.py
// (`_gen_affine_grid` + `grid_sample(align_corners=False)`): output pixel
// (x, y) has centred coordinates (x + 0.5 - w/2, y + 0.5 - h/2), the inverse
// matrix maps them to centred source coordinates, and the source index is
// that plus (w/2 - 0.5). Areas from outside the image are filled with 0.
import * as tf from '@tensorflow/tfjs';

/** A 2x3 inverse affine matrix, row-major, on centred coordinates. */
export type AffineMatrix = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
];

export type Interpolation = 'nearest' | 'bilinear';

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/**
 * torchvision's `_get_inverse_affine_matrix`: the matrix taking output
 * coordinates to input coordinates for rotation `angle` (degrees),
 * translation, scale and shear (degrees) about `center`, all relative to
 * the image centre.
 */
export function inverseAffineMatrix(
  center: readonly [number, number],
  angle: number,
  translate: readonly [number, number],
  scale: number,
  shear: readonly [number, number],
): AffineMatrix {
  const rot = radians(angle);
  const sx = radians(shear[0]);
  const sy = radians(shear[1]);
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2]! += m[0]! * (-cx - tx) + m[1]! * (-cy - ty);
  m[5]! += m[3]! * (-cx - tx) + m[4]! * (-cy - ty);
  m[2]! += cx;
  m[5]! += cy;
  return m as unknown as AffineMatrix;
}

/**
 * The same mapping in `tf.image.transform`'s terms, which takes output pixel
 * indices straight to input pixel indices.
 */
export function toImageTransform(
  m: AffineMatrix,
  height: number,
  width: number,
): number[] {
  const ox = 0.5 - width / 2;
  const oy = 0.5 - height / 2;
  return [
    m[0],
    m[1],
    m[0] * ox + m[1] * oy + m[2] - ox,
    m[3],
    m[4],
    m[3] * ox + m[4] * oy + m[5] - oy,
    0,
    0,
  ];
}

/**
 * Resamples each image through its own matrix in one `tf.image.transform`.
 * Bilinear results are rounded half to even, as torchvision rounds before
 * casting back to uint8; nearest sampling keeps integers as they are.
 */
export function affineBatch(
  x: tf.Tensor4D,
  matrices: readonly AffineMatrix[],
  interpolation: Interpolation,
): tf.Tensor4D {
  const [n, height, width] = x.shape;
  if (matrices.length !== n) {
    throw new Error(
      `expected ${n} matrices, one per image, got ${matrices.length}`,
    );
  }
  const rows = matrices.map((m) => toImageTransform(m, height, width));
  return tf.tidy(() => {
    const transforms = tf.tensor2d(rows, [n, 8]);
    // The CPU backend's Transform kernel returns after the first image of a
    // batch (tfjs 4.22), so there each image goes through it on its own.
    const out =
      tf.getBackend() === 'cpu' && n > 1
        ? tf.concat(
            tf
              .split(x, n)
              .map((image, i) =>
                tf.image.transform(
                  image as tf.Tensor4D,
                  transforms.slice([i, 0], [1, 8]),
                  interpolation,
                  'constant',
                  0,
                ),
              ),
          )
        : tf.image.transform(x, transforms, interpolation, 'constant', 0);
    return (interpolation === 'bilinear' ? tf.round(out) : out) as tf.Tensor4D;
  });
}
