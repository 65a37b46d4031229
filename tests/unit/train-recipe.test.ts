// The recipe's options as the training step and loop apply them, in Node
// on the tfjs CPU backend: weight decay per parameter group, label
// smoothing and mixed targets in the loss, the LR of every epoch and step
// against torch's schedulers, the EMA's updates and warmup resets over a
// pass, and a whole run with the blog's options that leaks no tensor.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { readBatches } from '../../src/data/batches';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { RunControl, trainPass } from '../../src/train/epoch';
import { softTargetCrossEntropy } from '../../src/train/losses';
import { lrForStep, runTraining } from '../../src/train/loop';
import type { TrainerEvent } from '../../src/train/protocol';
import { forwardModel } from '../../src/train/model';
import type { BatchStats } from '../../src/train/ops/batch-norm';
import { trainStep } from '../../src/train/step';
import { createTrainee, emaStepHook } from '../../src/train/trainee';
import { expectClose } from '../reference/compare';
import expected from '../reference/recipe.json';
import { fakeBackend, fakeDataset, NUM_CLASSES } from './train-fakes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 16;
const tiny: Recipe = {
  ...DEFAULT_RECIPE,
  width: 0.125,
  imageSize: SIDE,
  batchSize: 4,
  epochs: 2,
};

/** The batch-mean loss and its gradients at the current weights. */
function lossAndGrads(
  setup: ReturnType<typeof createTrainee>,
  x: tf.Tensor4D,
  targets: tf.Tensor2D,
  labelSmoothing: number,
) {
  const { model, params } = setup.trainee;
  const stats: BatchStats = new Map();
  const { value, grads } = tf.variableGrads(() => {
    const logits = forwardModel(model, x, stats);
    return softTargetCrossEntropy(logits, targets, labelSmoothing);
  }, params);
  for (const s of stats.values()) s.stats.dispose();
  return { value, grads };
}

function batch(n: number) {
  const x = tf.randomNormal([n, SIDE, SIDE, 1], 0, 1, 'float32', 5);
  const labels = tf.tensor1d([0, 1, 2, 3].slice(0, n), 'int32');
  const onehot = tf.oneHot(labels, NUM_CLASSES).toFloat() as tf.Tensor2D;
  return { x: x as tf.Tensor4D, labels, onehot };
}

test('each parameter group decays with its own weight decay', () => {
  const { manifest } = fakeDataset(4, 4, SIDE);
  const recipe: Recipe = {
    ...tiny,
    opt: 'sgd',
    momentum: 0,
    weightDecay: 0.1,
    normWeightDecay: 0,
    biasWeightDecay: 0.5,
    labelSmoothing: 0.1,
  };
  const setup = createTrainee(recipe, manifest);
  const byName = new Map(
    setup.groups.flatMap((g) => g.names.map((n) => [n, g] as const)),
  );
  expect(setup.groups.map((g) => [g.key, g.weightDecay])).toEqual([
    ['other', 0.1],
    ['norm', 0],
    ['bias', 0.5],
  ]);
  expect(byName.get('conv1.weight')!.key).toBe('other');
  expect(byName.get('fc.weight')!.key).toBe('other');
  expect(byName.get('bn1.weight')!.key).toBe('norm');
  expect(byName.get('bn1.bias')!.key).toBe('bias');
  expect(byName.get('fc.bias')!.key).toBe('bias');

  const { x, labels, onehot } = batch(4);
  const { value, grads } = lossAndGrads(setup, x, onehot, 0.1);
  const model = setup.trainee.model;
  const before = new Map(
    [...model.params].map(([k, v]) => [k, Array.from(v.dataSync())]),
  );
  const lr = 0.3;
  const loss = trainStep(setup.trainee, x, labels, lr);
  // The step's loss is torch's label-smoothed cross-entropy (losses.ts).
  expect(loss.dataSync()[0]).toBeCloseTo(value.dataSync()[0]!, 5);
  // Plain SGD from zero momentum: w1 = w0 - lr * (g + decay * w0).
  for (const [name, w] of model.params) {
    const decay = byName.get(name)!.weightDecay;
    const g = grads[w.name]!.dataSync();
    const want = before
      .get(name)!
      .map((w0, i) => w0 - lr * (g[i]! + decay * w0));
    expectClose(Array.from(w.dataSync()), want, 1e-5);
  }
  tf.dispose([x, labels, onehot, value, loss, ...Object.values(grads)]);
  setup.dispose();
});

test('mixed targets are label-smoothed in the step as in the reference', () => {
  const { manifest } = fakeDataset(4, 4, SIDE);
  const setup = createTrainee({ ...tiny, labelSmoothing: 0.2 }, manifest);
  const { x, labels, onehot } = batch(4);
  const mixed = tf.tidy(() =>
    onehot.mul(0.7).add(tf.reverse(onehot, 0).mul(0.3)),
  ) as tf.Tensor2D;
  const { value, grads } = lossAndGrads(setup, x, mixed, 0.2);
  const loss = trainStep(setup.trainee, x, mixed, 0);
  expect(loss.dataSync()[0]).toBeCloseTo(value.dataSync()[0]!, 5);
  tf.dispose([x, labels, onehot, mixed, value, loss, ...Object.values(grads)]);
  setup.dispose();
});

test('micro-batches sum weighted gradients into one update', () => {
  const { manifest } = fakeDataset(4, 4, SIDE);
  const recipe: Recipe = { ...tiny, opt: 'sgd', momentum: 0 };
  const micro = createTrainee({ ...recipe, microBatchSize: 2 }, manifest);
  const whole = createTrainee(recipe, manifest);
  const { x, labels, onehot } = batch(4);
  const halves = [0, 2].map((start) => ({
    x: x.slice(start, 2),
    labels: labels.slice(start, 2),
    onehot: onehot.slice(start, 2),
  }));
  // The same initial weights: each half's loss and gradients at them.
  const parts = halves.map((h) => lossAndGrads(whole, h.x, h.onehot, 0));
  const model = micro.trainee.model;
  const before = new Map(
    [...model.params].map(([k, v]) => [k, Array.from(v.dataSync())]),
  );
  const numTensors = tf.memory().numTensors;
  const lr = 0.2;
  const loss = trainStep(micro.trainee, x, labels, lr);
  // The loss, and the momentum buffers the first step makes.
  const slots = micro.trainee.optimizer.state.size;
  expect(slots).toBe(model.params.size);
  expect(tf.memory().numTensors).toBe(numTensors + 1 + slots);
  const halfLosses = parts.map((p) => p.value.dataSync()[0]!);
  expect(loss.dataSync()[0]).toBeCloseTo(
    (halfLosses[0]! + halfLosses[1]!) / 2,
    5,
  );
  for (const [name, w] of model.params) {
    const twin = whole.trainee.model.params.get(name)!.name;
    const [g1, g2] = parts.map((p) => p.grads[twin]!.dataSync());
    const want = before
      .get(name)!
      .map((w0, i) => w0 - (lr * (g1![i]! + g2![i]!)) / 2);
    expectClose(Array.from(w.dataSync()), want, 1e-5);
  }
  // BN folds each micro-batch's statistics in turn, as two passes would.
  for (const h of halves) trainStep(whole.trainee, h.x, h.labels, 0).dispose();
  for (const name of ['bn1.running_mean', 'layer4.1.bn2.running_var']) {
    const got = Array.from(model.buffers.get(name)!.dataSync());
    const want = whole.trainee.model.buffers.get(name)!.dataSync();
    expectClose(got, Array.from(want), 1e-5);
  }
  const grads = parts.flatMap((p) => [p.value, ...Object.values(p.grads)]);
  const slices = halves.flatMap((h) => [h.x, h.labels, h.onehot]);
  tf.dispose([x, labels, onehot, loss, ...grads, ...slices]);
  micro.dispose();
  whole.dispose();
});

type ScheduleCase = (typeof expected.schedules)[number] & {
  stepsPerEpoch?: number;
};

function scheduleRecipe(c: ScheduleCase): Recipe {
  const { lrs: _, stepsPerEpoch: __, ...flags } = c;
  return { ...DEFAULT_RECIPE, ...(flags as Partial<Recipe>) };
}

describe('the loop LR follows torch schedulers', () => {
  test.each(expected.schedules.map((c, i) => [i, c.lrScheduler, c] as const))(
    'per epoch, case %i (%s)',
    (_, __, c) => {
      const recipe = scheduleRecipe(c);
      c.lrs.forEach((lr, epoch) => {
        // Constant within an epoch: the reference steps once per epoch.
        for (const step of [0, 6]) {
          expect(lrForStep(recipe, epoch + 1, step, 7)).toBeCloseTo(lr, 10);
        }
      });
    },
  );

  test.each(
    expected.perStepSchedules.map((c, i) => [i, c.lrScheduler, c] as const),
  )('per step, case %i (%s)', (_, __, c) => {
    const recipe: Recipe = { ...scheduleRecipe(c), lrSchedulePer: 'step' };
    const n = c.stepsPerEpoch;
    c.lrs.forEach((lr, i) => {
      const got = lrForStep(recipe, Math.floor(i / n) + 1, i % n, n);
      expect(got).toBeCloseTo(lr, 10);
    });
  });
});

test('the EMA updates every modelEmaSteps steps and resets in warmup', async () => {
  const { manifest, store } = fakeDataset(20, 4, SIDE);
  const recipe: Recipe = {
    ...tiny,
    modelEma: true,
    modelEmaSteps: 2,
    modelEmaDecay: 0.9,
    lrWarmupEpochs: 1,
  };
  const setup = createTrainee(recipe, manifest);
  // train.py: 1 - min(1, (1 - 0.9) * batch 4 * steps 2 / epochs 2).
  expect(setup.ema!.decay).toBeCloseTo(0.6, 12);
  const watched = ['fc.weight', 'bn1.running_mean'];
  const model = setup.trainee.model;
  const read = (name: string) =>
    Array.from((model.params.get(name) ?? model.buffers.get(name))!.dataSync());
  let want: number[][] | null = null;
  let numAveraged = 0;
  const d = setup.ema!.decay;
  for (const epoch of [1, 2]) {
    const hook = emaStepHook(setup.ema!, model, epoch, recipe);
    await trainPass(
      readBatches(store, manifest, 'train', {
        batchSize: 4,
        seed: 1,
        epoch,
        shuffle: true,
      }),
      {
        trainee: setup.trainee,
        backend: fakeBackend,
        control: new RunControl(),
        stored: manifest,
        imageSize: SIDE,
        lr: 0.05,
        printFreq: 10,
        onStep: (step) => {
          hook(step);
          // The reference's rule, restated: steps 0, 2, 4 of each epoch.
          if ((step - 1) % 2 !== 0) return;
          const now = watched.map(read);
          want =
            numAveraged === 0 || !want
              ? now
              : want.map((a, k) =>
                  a.map((v, i) => d * v + (1 - d) * now[k]![i]!),
                );
          numAveraged = epoch - 1 < 1 ? 0 : numAveraged + 1;
        },
      },
    );
  }
  expect(setup.ema!.numAveraged).toBe(3);
  watched.forEach((name, k) => {
    const got = Array.from(setup.ema!.values.get(name)!.dataSync());
    expectClose(got, want![k]!, 1e-5);
    expect(got).not.toEqual(read(name));
  });
  setup.dispose();
});

describe('a run with the blog options', () => {
  const recipe: Recipe = {
    ...tiny,
    lr: 0.1,
    weightDecay: 1e-4,
    normWeightDecay: 0,
    lrScheduler: 'cosineannealinglr',
    lrWarmupEpochs: 1,
    lrWarmupMethod: 'linear',
    autoAugment: 'ta_wide',
    randomErase: 0.5,
    labelSmoothing: 0.1,
    mixupAlpha: 0.2,
    cutmixAlpha: 1.0,
    modelEma: true,
    modelEmaSteps: 2,
    epochs: 3,
    patience: 1,
    patienceOn: 'ema',
    valResizeSize: 18,
    valCropSize: 14,
    microBatchSize: 2,
  };

  test.each([['sgd-nesterov'], ['rmsprop'], ['adamw']] as const)(
    '%s reports LR per epoch and EMA accuracy, and leaks nothing',
    async (opt) => {
      const { manifest, store } = fakeDataset(16, 8, SIDE);
      const events: TrainerEvent[] = [];
      const before = tf.memory().numTensors;
      const report = await runTraining({
        backend: fakeBackend,
        store,
        manifest,
        recipe: { ...recipe, opt },
        runId: 'test',
        control: new RunControl(),
        emit: (e) => events.push(e),
      });
      expect(tf.memory().numTensors).toBe(before);
      report.epochs.forEach((e) => {
        expect(e.lr).toBeCloseTo(lrForStep(recipe, e.epoch, 0, 4), 12);
        expect(Number.isFinite(e.trainLoss)).toBe(true);
        // Counted against the mixed targets' largest weight, over the
        // micro-batches; top-5 of 4 classes is top-4, always a hit.
        expect(e.trainTop1).toBeGreaterThanOrEqual(0);
        expect(e.trainTop1).toBeLessThanOrEqual(1);
        expect(e.trainTop5).toBe(1);
        expect(e.valTop1Ema).toBeGreaterThanOrEqual(0);
        expect(e.valTop5Ema).toBeLessThanOrEqual(1);
      });
      // Linear warmup from 0.01 * lr, then the cosine's first epoch.
      expect(report.epochs[0]!.lr).toBeCloseTo(0.001, 12);
      expect(report.epochs[1]!.lr).toBeCloseTo(0.1, 12);
      // Patience 1 on the EMA's top-1: the run ends at the first epoch
      // that does not beat the best EMA top-1 so far.
      let best = { top1: -1, epoch: 0 };
      let stopAt: number | null = null;
      for (const e of report.epochs) {
        if (e.valTop1Ema! > best.top1)
          best = { top1: e.valTop1Ema!, epoch: e.epoch };
        if (e.epoch - best.epoch >= 1) {
          stopAt = e.epoch;
          break;
        }
      }
      expect(report.stoppedEarly).toBe(stopAt !== null);
      expect(report.epochs.length).toBe(stopAt ?? recipe.epochs);
      const steps = events.flatMap((e) =>
        e.type === 'step' ? [e.progress.numTensors] : [],
      );
      expect(new Set(steps.slice(1)).size).toBe(1);
    },
  );
});
