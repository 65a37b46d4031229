// How the export tests compare a file's logits with the lab's: the file run
// by onnxruntime, and the largest difference as a fraction of the logits'
// scale.
import type * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { toNchw } from '../../tools/fixtures/resnet-state';

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
