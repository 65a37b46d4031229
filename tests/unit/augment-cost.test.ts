// What augmentation costs next to a training step on the tfjs CPU backend,
// reported as a ratio (timings are never asserted: the machine is shared).
// What is asserted: the augmented batch has the step's input shape and
// nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { createRng } from '../../src/lib/random';
import {
  applyStandard,
  autoAugmentBatch,
  drawStandard,
} from '../../src/train/augment';
import { Sgd } from '../../src/train/optim/sgd';
import { createResNet, disposeResNet } from '../../src/train/resnet';
import { trainStep } from '../../src/train/step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function seconds(run: () => void, repeats: number): number {
  run();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  return (performance.now() - start) / 1000 / repeats;
}

function augmenter(n: number, size: number) {
  const rng = createRng(1);
  const raw = tf.tidy(() =>
    tf.floor(tf.randomUniform([n, size, size, 3], 0, 256, 'float32', 2)),
  ) as tf.Tensor4D;
  const run = () => {
    const draws = drawStandard(rng, n, size, size, false);
    const cropped = applyStandard(raw, draws, size);
    const out = autoAugmentBatch(cropped, rng, { autoAugment: 'ta_wide' });
    cropped.dispose();
    return out;
  };
  return { raw, run };
}

test('an augmented batch costs far less than a ResNet-50 step (CPU backend, reported)', () => {
  const n = 4;
  const size = 32;
  const model = createResNet(
    { name: 'resnet50', numClasses: 10, inChannels: 3, widthMultiplier: 0.25 },
    1,
  );
  const params = model.graph.params.map((p) => model.params.get(p.name)!);
  const optimizer = new Sgd([{ variables: params, weightDecay: 0 }], {
    momentum: 0.9,
    nesterov: true,
    dampening: 0,
  });
  const trainee = { model, params, optimizer, numClasses: 10 };
  const labels = tf.zeros([n], 'int32') as tf.Tensor1D;
  const small = augmenter(n, size);
  const x = small.run();
  expect(x.shape).toEqual([n, size, size, 3]);
  const step = seconds(() => trainStep(trainee, x, labels, 0.01).dispose(), 1);
  x.dispose();
  const before = tf.memory().numTensors;
  const augment = seconds(() => small.run().dispose(), 3);
  expect(tf.memory().numTensors).toBe(before);
  const large = augmenter(8, 224);
  const augment224 = seconds(() => large.run().dispose(), 1);
  console.log(
    `CPU backend, batch ${n} at ${size} px: ResNet-50 (width 1/4) step ` +
      `${step.toFixed(3)} s, crop+flip+TrivialAugmentWide ` +
      `${augment.toFixed(4)} s, ratio ${(augment / step).toFixed(4)}; ` +
      `batch 8 at 224 px: augmentation ${augment224.toFixed(3)} s`,
  );
  tf.dispose([labels, small.raw, large.raw]);
  optimizer.dispose();
  disposeResNet(model);
}, 120_000);
