// The final weights a run sends: once, after its last epoch and before it
// returns, every parameter and buffer under its state-dict name; none from
// a run stopped before an epoch ended; with model EMA, the EMA's beside
// them.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { RunControl } from '../../src/train/epoch';
import { runTraining } from '../../src/train/loop';
import type { TrainerEvent } from '../../src/train/protocol';
import { describeResNet, type ResNetName } from '../../src/train/resnet';
import { fakeBackend, fakeDataset, NUM_CLASSES } from './train-fakes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 16;
const recipe: Recipe = {
  ...DEFAULT_RECIPE,
  width: 0.125,
  imageSize: SIDE,
  batchSize: 4,
  epochs: 2,
};

async function run(control = new RunControl(), given = recipe) {
  const { manifest, store } = fakeDataset(8, 4, SIDE);
  const events: TrainerEvent[] = [];
  const before = tf.memory().numTensors;
  await runTraining({
    backend: fakeBackend,
    store,
    manifest,
    recipe: given,
    runId: 'weights-test',
    control,
    emit: (e) => events.push(e),
  });
  expect(tf.memory().numTensors).toBe(before);
  return events;
}

test('one weights event after the last epoch, named as the state dict', async () => {
  const events = await run();
  const kinds = events.map((e) => e.type).filter((t) => t !== 'step');
  expect(kinds.filter((t) => t === 'weights')).toHaveLength(1);
  expect(kinds.indexOf('weights')).toBe(kinds.length - 1);
  expect(kinds.lastIndexOf('epoch')).toBeLessThan(kinds.indexOf('weights'));

  const event = events.find((e) => e.type === 'weights')!;
  if (event.type !== 'weights') throw new Error('unreachable');
  expect(event.runId).toBe('weights-test');
  const graph = describeResNet({
    name: recipe.model as ResNetName,
    numClasses: NUM_CLASSES,
    inChannels: 1,
    widthMultiplier: recipe.width,
  });
  const expected = [...graph.params, ...graph.buffers];
  expect(Object.keys(event.weights).sort()).toEqual(
    expected.map((p) => p.name).sort(),
  );
  for (const { name, shape } of expected) {
    const w = event.weights[name]!;
    expect(w.shape, name).toEqual(shape);
    expect(w.data).toBeInstanceOf(Float32Array);
    expect(w.data.length).toBe(shape.reduce((a, b) => a * b, 1));
    expect(w.data.every(Number.isFinite)).toBe(true);
  }
  // Trained: the running variance has moved off its initial ones.
  const runningVar = event.weights['bn1.running_var']!.data;
  expect(runningVar.some((v) => v !== 1)).toBe(true);
  expect(event.ema).toBeUndefined();
});

test('with model EMA, its weights come too, under the same names', async () => {
  const events = await run(new RunControl(), {
    ...recipe,
    modelEma: true,
    modelEmaSteps: 1,
    modelEmaDecay: 0.99,
  });
  const event = events.find((e) => e.type === 'weights')!;
  if (event.type !== 'weights') throw new Error('unreachable');
  const ema = event.ema!;
  expect(Object.keys(ema).sort()).toEqual(Object.keys(event.weights).sort());
  for (const [name, w] of Object.entries(ema)) {
    expect(w.shape, name).toEqual(event.weights[name]!.shape);
  }
  // An average of several steps, not the last step's weights.
  const a = ema['conv1.weight']!.data;
  const b = event.weights['conv1.weight']!.data;
  expect(a.some((v, i) => v !== b[i])).toBe(true);
});

test('a run stopped before its first epoch ends sends no weights', async () => {
  const control = new RunControl();
  control.stop();
  const events = await run(control);
  expect(events.some((e) => e.type === 'weights')).toBe(false);
});
