// How the export tests compare a file's logits with the lab's: seeded
// images, the lab's own eval-mode logits, the file run by onnxruntime, and
// the largest difference as a fraction of the logits' scale.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { createRng } from '../../src/lib/random';
import { forwardModel, type LabModel } from '../../src/train/model';
import { toNchw } from '../../tools/fixtures/resnet-state';

/** Seeded uniform images in -2..2, NHWC. */
export function randomImages(
  n: number,
  size: number,
  channels: number,
  seed = 3,
): tf.Tensor4D {
  const rng = createRng(seed);
  const data = Float32Array.from(
    { length: n * size * size * channels },
    () => (rng() - 0.5) * 4,
  );
  return tf.tensor4d(data, [n, size, size, channels]);
}

/** The lab's eval-mode logits of `x`. */
export async function labLogits(
  model: LabModel,
  x: tf.Tensor4D,
): Promise<Float32Array> {
  const y = tf.tidy(() => forwardModel(model, x, null));
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

/** Runs an ONNX file on NHWC images (sent NCHW); its `logits` output. */
export async function runOnnx(bytes: Uint8Array, x: tf.Tensor4D) {
  const session = await ort.InferenceSession.create(bytes);
  const [n, h, w, c] = x.shape;
  const input = new ort.Tensor('float32', await toNchw(x), [n, c, h, w]);
  const { logits } = await session.run({ input });
  await session.release();
  return { dims: logits!.dims, data: logits!.data as Float32Array };
}

/** The largest difference over the largest magnitude of `want`. */
export function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  want.forEach((w, i) => {
    diff = Math.max(diff, Math.abs(got[i]! - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return diff / scale;
}
