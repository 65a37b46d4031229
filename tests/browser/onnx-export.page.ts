// Page-side half of onnx-export.test.ts: builds a lab ResNet on WebGPU with
// the lab's kernels, gives its batch norms trained-like statistics, runs
// the eval-mode forward pass on a seeded batch and exports the ONNX file.
// Returns plain data: the input as NCHW, the logits, and the file base64.
import * as tf from '@tensorflow/tfjs';
import { readModelWeights } from '../../src/export/read-weights';
import { exportOnnx } from '../../src/export/model-onnx';
import { createRng } from '../../src/lib/random';
import { initBackend } from '../../src/train/backend';
import {
  createResNet,
  disposeResNet,
  forwardResNet,
  type ResNetConfig,
} from '../../src/train/resnet';
import { normalization } from '../../src/train/step';
import { randomizeBatchNorm, toNchw } from '../../tools/fixtures/resnet-state';

export interface ExportOutcome {
  backend: string;
  kernels: string;
  gpuError: string | null;
  /** The batch in the ONNX model's layout, [n, c, size, size]. */
  input: number[];
  logits: number[];
  onnxBase64: string;
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export async function exportOnWebGpu(
  config: ResNetConfig,
  batch: { n: number; size: number; seed: number },
): Promise<ExportOutcome> {
  const backend = await initBackend('lab');
  const state = createResNet(config, batch.seed);
  randomizeBatchNorm(state, batch.seed);

  const rng = createRng(batch.seed);
  const { n, size } = batch;
  const shape = [n, size, size, config.inChannels] as const;
  const pixels = Float32Array.from({ length: shape.reduce((a, b) => a * b) });
  pixels.forEach((_, i) => (pixels[i] = (rng() - 0.5) * 4));
  const x = tf.tensor4d(pixels, [...shape]);
  const y = tf.tidy(() => forwardResNet(state, x, null));
  const logits = Array.from(await y.data());

  const bytes = exportOnnx(state.graph, await readModelWeights(state), {
    imageSize: size,
    normalization: normalization({
      height: size,
      width: size,
      channels: config.inChannels,
    }),
  });
  const input = Array.from(await toNchw(x));
  await backend.fence();
  tf.dispose([x, y]);
  disposeResNet(state);
  return {
    backend: backend.info.backend,
    kernels: backend.info.kernels,
    gpuError: backend.fault()?.message ?? null,
    input,
    logits,
    onnxBase64: toBase64(bytes),
  };
}
