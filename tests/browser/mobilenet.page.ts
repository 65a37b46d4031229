// Page-side half of mobilenet.test.ts: loads torchvision's seeded
// MobileNetV3-Large state dict into the lab's network on WebGPU with the
// lab's kernels, and runs the reference's eval pass and training pass.
// Returns plain numbers for the Node side to compare.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend';
import {
  createMobileNet,
  disposeMobileNet,
  forwardMobileNet,
  updateMobileNetRunningStats,
} from '../../src/train/mobilenet';
import type { BatchStats } from '../../src/train/ops/batch-norm';
import { loadStateDict } from '../../src/train/state-dict';
import {
  decodeStateDict,
  inputNhwc,
  mobilenetExpected as expected,
} from '../reference/mobilenet-reference';

export interface ReferenceOutcome {
  backend: string;
  kernels: string;
  gpuError: string | null;
  evalLogits: number[];
  loss: number;
  gradNorms: Record<string, number>;
  runningStats: Record<string, number[]>;
}

export async function runReferenceOnWebGpu(): Promise<ReferenceOutcome> {
  const backend = await initBackend('lab');
  const response = await fetch('/tests/reference/mobilenet-weights.bin');
  const bytes = new Uint8Array(await response.arrayBuffer());
  const model = createMobileNet(
    {
      name: 'mobilenet_v3_large',
      numClasses: expected.config.numClasses,
      inChannels: 3,
      widthMultiplier: expected.config.width,
      dropout: 0,
    },
    1,
  );
  loadStateDict(model, decodeStateDict(expected, bytes));
  const { values, shape } = inputNhwc(expected);
  const x = tf.tensor4d(values, shape);

  const logits = tf.tidy(() => forwardMobileNet(model, x, null));
  const evalLogits = Array.from(await logits.data());

  const labels = tf.oneHot(tf.tensor1d(expected.train.labels, 'int32'), 10);
  const stats: BatchStats = new Map();
  const { value, grads } = tf.variableGrads(() => {
    const y = forwardMobileNet(model, x, stats);
    return tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
  }, [...model.params.values()]);
  updateMobileNetRunningStats(model, stats);
  const gradNorms: Record<string, number> = {};
  for (const name of Object.keys(expected.train.gradNorms)) {
    const norm = tf.norm(grads[model.params.get(name)!.name]!);
    gradNorms[name] = (await norm.data())[0]!;
    norm.dispose();
  }
  const runningStats: Record<string, number[]> = {};
  for (const name of Object.keys(expected.train.runningStats)) {
    runningStats[name] = Array.from(await model.buffers.get(name)!.data());
  }
  const loss = (await value.data())[0]!;

  await backend.fence();
  tf.dispose([x, logits, labels, value, ...Object.values(grads)]);
  disposeMobileNet(model);
  return {
    backend: backend.info.backend,
    kernels: backend.info.kernels,
    gpuError: backend.fault()?.message ?? null,
    evalLogits,
    loss,
    gradNorms,
    runningStats,
  };
}
