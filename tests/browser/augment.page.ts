// Loaded into the module test page: runs the augmentation on WebGPU and on
// the CPU backend with the same draws, and times an augmented batch against
// a training step on WebGPU.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { initBackend, type Backend } from '../../src/train/backend';
import { createResNet, disposeResNet } from '../../src/train/resnet';
import { Sgd } from '../../src/train/optim/sgd';
import { trainStep } from '../../src/train/step';
import { createRng } from '../../src/lib/random';
import {
  applyOpDraws,
  applyStandard,
  autoAugmentBatch,
  drawStandard,
  type OpDraw,
  type StandardDraws,
} from '../../src/train/augment';

export interface Cases {
  /** NHWC 0..255 values of the batch, and its shape. */
  pixels: number[];
  shape: [number, number, number, number];
  policies: Record<string, OpDraw[][]>;
  standard: StandardDraws;
  size: number;
}

async function runCases(c: Cases) {
  const x = tf.tensor4d(c.pixels, c.shape);
  const out: Record<string, number[]> = {};
  const before = tf.memory().numTensors;
  for (const [name, draws] of Object.entries(c.policies)) {
    const y = applyOpDraws(x, draws);
    out[name] = Array.from(await y.data());
    y.dispose();
  }
  const y = applyStandard(x, c.standard, c.size);
  out.standard = Array.from(await y.data());
  y.dispose();
  const leaked = tf.memory().numTensors - before;
  x.dispose();
  return { out, leaked };
}

/** The same cases on WebGPU, then on the CPU backend. */
export async function compareBackends(c: Cases) {
  const backend = await initBackend();
  const gpu = await runCases(c);
  const gpuName = tf.getBackend();
  const fault = backend.fault();
  await tf.setBackend('cpu');
  const cpu = await runCases(c);
  return { gpuName, fault, gpu, cpu };
}

async function seconds(backend: Backend, run: () => void, repeats: number) {
  run();
  await backend.fence();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  await backend.fence();
  return (performance.now() - start) / 1000 / repeats;
}

/**
 * Seconds per training step of a small ResNet-50 and per augmented batch
 * (crop + flip + TrivialAugmentWide, draws included) on WebGPU, at the same
 * batch and image size; and the augmentation alone at 224 px.
 */
export async function timeOnWebGpu(o: {
  batchSize: number;
  imageSize: number;
  width: number;
}) {
  const backend = await initBackend();
  const model = createResNet(
    {
      name: 'resnet50',
      numClasses: 10,
      inChannels: 3,
      widthMultiplier: o.width,
    },
    1,
  );
  const params = model.graph.params.map((p) => model.params.get(p.name)!);
  const optimizer = new Sgd([{ variables: params, weightDecay: 0 }], {
    momentum: 0.9,
    nesterov: true,
    dampening: 0,
  });
  const trainee = { model, params, optimizer, numClasses: 10 };
  const { batchSize: n, imageSize: s } = o;
  const x = tf.randomNormal([n, s, s, 3]) as tf.Tensor4D;
  const labels = tf.zeros([n], 'int32') as tf.Tensor1D;
  const stepSeconds = await seconds(
    backend,
    () => trainStep(trainee, x, labels, 0.01).dispose(),
    2,
  );
  const rng = createRng(3);
  const augmentAt = (size: number) => {
    const raw = tf.tidy(() =>
      tf.floor(tf.randomUniform([n, size, size, 3], 0, 256)),
    ) as tf.Tensor4D;
    const run = () => {
      const draws = drawStandard(rng, n, size, size, false);
      const cropped = applyStandard(raw, draws, size);
      autoAugmentBatch(cropped, rng, { autoAugment: 'ta_wide' }).dispose();
      cropped.dispose();
    };
    return { raw, run };
  };
  const small = augmentAt(s);
  const augmentSeconds = await seconds(backend, small.run, 5);
  const large = augmentAt(224);
  const augment224Seconds = await seconds(backend, large.run, 3);
  tf.dispose([x, labels, small.raw, large.raw]);
  optimizer.dispose();
  disposeResNet(model);
  return {
    backend: tf.getBackend(),
    fault: backend.fault(),
    stepSeconds,
    augmentSeconds,
    augment224Seconds,
  };
}
