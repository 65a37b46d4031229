// Checkpoints in Node on the tfjs CPU backend: the checks that refuse a
// checkpoint of another network or recipe, and whole runs stopped after
// epoch 1 and resumed from their checkpoint (cloned as IndexedDB would
// store it), which must end exactly where the uninterrupted run does, for
// every optimizer and with the EMA.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import {
  checkCompatible,
  checkSameRecipe,
  checkSlots,
  checkTensors,
  describeCheckpoint,
  summarize,
  type RunCheckpoint,
} from '../../src/train/checkpoint';
import { RunControl } from '../../src/train/epoch';
import { runTraining } from '../../src/train/loop';
import type { TrainerEvent, TrainReport } from '../../src/train/protocol';
import type { CheckpointSink } from '../../src/train/run-progress';
import { fakeBackend, fakeDataset } from './train-fakes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tensor = (name: string, shape: number[]) => ({
  name,
  shape,
  data: new Float32Array(shape.reduce((n, d) => n * d, 1)),
});

const shapes = new Map<string, number[]>([
  ['conv1.weight', [3, 3, 1, 8]],
  ['bn1.running_mean', [8]],
]);

describe('checkTensors', () => {
  test('accepts exactly the named tensors in their shapes', () => {
    const stored = [
      tensor('conv1.weight', [3, 3, 1, 8]),
      tensor('bn1.running_mean', [8]),
    ];
    expect(() => checkTensors('weights', stored, shapes)).not.toThrow();
  });

  test('names a wrong shape, a stranger and a missing tensor', () => {
    const stored = [
      tensor('conv1.weight', [3, 3, 1, 16]),
      tensor('fc.bias', [4]),
    ];
    expect(() => checkTensors('weights', stored, shapes)).toThrow(
      'the checkpoint\'s weights do not fit the model: "conv1.weight": ' +
        'expected shape [3, 3, 1, 8], got [3, 3, 1, 16]; "fc.bias" is not ' +
        'a variable of this model; missing "bn1.running_mean"',
    );
  });

  test('refuses data that does not fill its shape', () => {
    const short = {
      ...tensor('bn1.running_mean', [8]),
      data: new Float32Array(7),
    };
    const stored = [tensor('conv1.weight', [3, 3, 1, 8]), short];
    expect(() => checkTensors('weights', stored, shapes)).toThrow(
      '"bn1.running_mean": expected 8 values for shape [8], got 7',
    );
  });
});

test('checkSlots wants parameter/slot names of the model', () => {
  const params = new Map([['conv1.weight', [3, 3, 1, 8]]]);
  const slot = tensor('conv1.weight/momentum_buffer', [3, 3, 1, 8]);
  expect(() => checkSlots([slot], params)).not.toThrow();
  expect(() =>
    checkSlots([tensor('conv9.weight/exp_avg', [2])], params),
  ).toThrow(
    'expected "parameter/slot" names of its parameters, got "conv9.weight/exp_avg"',
  );
  expect(() =>
    checkSlots([tensor('conv1.weight/exp_avg', [3, 3, 1, 4])], params),
  ).toThrow('expected shape [3, 3, 1, 8], got [3, 3, 1, 4]');
});

const SIDE = 16;
const tiny: Recipe = {
  ...DEFAULT_RECIPE,
  width: 0.125,
  imageSize: SIDE,
  batchSize: 4,
  epochs: 3,
  lr: 0.05,
  seed: 9,
  weightDecay: 1e-4,
  lrScheduler: 'cosineannealinglr',
  lrWarmupEpochs: 1,
  lrWarmupMethod: 'linear',
  autoAugment: 'ta_wide',
  randomErase: 0.25,
  labelSmoothing: 0.1,
  modelEma: true,
  modelEmaSteps: 2,
};

/** Keeps checkpoints in a Map, cloned as IndexedDB's put would. */
function memorySink() {
  const stored = new Map<string, RunCheckpoint>();
  const sink: CheckpointSink = {
    put: async (c) => void stored.set(c.runId, structuredClone(c)),
    delete: async (runId) => void stored.delete(runId),
  };
  return { stored, sink };
}

async function train(
  recipe: Recipe,
  options: {
    sink?: CheckpointSink;
    resumeFrom?: RunCheckpoint;
    stopAfterCheckpoint?: number;
    /** The device is lost once this epoch is checkpointed. */
    loseDeviceAfter?: number;
  } = {},
): Promise<{ report: TrainReport; events: TrainerEvent[] }> {
  const { manifest, store } = fakeDataset(16, 8, SIDE);
  const control = new RunControl();
  const events: TrainerEvent[] = [];
  let lost = false;
  const fault = () =>
    lost ? { code: 'device-lost' as const, message: 'GPU gone' } : null;
  const report = await runTraining({
    backend: { ...fakeBackend, fault },
    store,
    manifest,
    recipe,
    runId: 'r1',
    control,
    emit: (e) => {
      events.push(e);
      const at = options.stopAfterCheckpoint;
      if (e.type !== 'checkpoint') return;
      if (e.checkpoint.epoch === at) control.stop();
      if (e.checkpoint.epoch === options.loseDeviceAfter) lost = true;
    },
    ...(options.sink && { checkpoints: options.sink }),
    ...(options.resumeFrom && { resumeFrom: options.resumeFrom }),
  });
  return { report, events };
}

/** What must not change across a resume: all but the timings. */
function curve(report: TrainReport) {
  return report.epochs.map((e) => ({ ...e, imagesPerSecond: 0, seconds: 0 }));
}

describe.each(['sgd-nesterov', 'adamw', 'rmsprop'] as const)(
  'a run stopped after epoch 1 and resumed (%s)',
  (opt) => {
    const recipe: Recipe = { ...tiny, opt };

    test('ends exactly where the uninterrupted run ends', async () => {
      const whole = await train(recipe, memorySink());
      const { stored, sink } = memorySink();
      const first = await train(recipe, { sink, stopAfterCheckpoint: 1 });
      expect(first.report.stopped).toBe(true);
      expect(first.report.epochs).toHaveLength(1);
      const checkpoint = stored.get('r1')!;
      expect(checkpoint.epochsDone).toBe(1);
      expect(checkpoint.optimizer.slots.length).toBeGreaterThan(0);
      expect(checkpoint.ema?.values.length).toBe(checkpoint.weights.length);
      if (opt === 'adamw') {
        expect(Object.values(checkpoint.optimizer.numSteps)[0]).toBe(4);
      }

      const resumed = await train(recipe, { sink, resumeFrom: checkpoint });
      expect(curve(resumed.report)).toEqual(curve(whole.report));
      // The training accuracy is part of what must match.
      expect(whole.report.epochs[1]!.trainTop1).toBeGreaterThanOrEqual(0);
      expect(resumed.report.bestEpoch).toBe(whole.report.bestEpoch);
      const kinds = resumed.events.map((e) => e.type);
      expect(kinds[0]).toBe('resumed');
      // The finished run deleted its checkpoint.
      expect(stored.size).toBe(0);
    }, 180_000);
  },
);

test('a lost device ends the run saying which epoch can be resumed', async () => {
  const { stored, sink } = memorySink();
  const run = train(tiny, { sink, loseDeviceAfter: 1 });
  await expect(run).rejects.toMatchObject({
    code: 'device-lost',
    message:
      'GPU gone. Run r1 was checkpointed after epoch 1 of 3 and can be ' +
      'resumed from there',
  });
  expect(stored.get('r1')?.epochsDone).toBe(1);
}, 120_000);

describe('a checkpoint that does not fit is refused', () => {
  let checkpoint: RunCheckpoint;
  beforeAll(async () => {
    const { stored, sink } = memorySink();
    await train(tiny, { sink, stopAfterCheckpoint: 1 });
    checkpoint = stored.get('r1')!;
  }, 120_000);

  test('of another network', () => {
    const key = { ...checkpoint.modelKey, width: 0.25, numClasses: 10 };
    expect(() => checkCompatible(checkpoint, key)).toThrow(
      'checkpoint of run r1 is of another network: expected width 0.25, ' +
        'got 0.125; numClasses 10, got 4',
    );
  });

  test('of another format version', () => {
    const old = { ...checkpoint, version: 0 };
    expect(() => checkCompatible(old, checkpoint.modelKey)).toThrow(
      'expected format version 1, got 0',
    );
  });

  test('of another recipe, naming the options', () => {
    expect(() => checkSameRecipe(tiny, { ...tiny, lr: 0.1 })).toThrow(
      'the checkpoint was written by another recipe: expected lr 0.05, got 0.1',
    );
  });

  test('by a run of another recipe, which changes nothing', async () => {
    const run = train({ ...tiny, opt: 'adamw' }, { resumeFrom: checkpoint });
    await expect(run).rejects.toMatchObject({
      code: 'no-checkpoint',
      message:
        'cannot resume run r1: the checkpoint was written by another ' +
        'recipe: expected opt "sgd-nesterov", got "adamw"',
    });
  }, 60_000);

  test('with tensors of another width, naming them', async () => {
    const wider = { ...tiny, width: 0.25 };
    const forged = {
      ...checkpoint,
      recipe: wider,
      modelKey: { ...checkpoint.modelKey, width: 0.25 },
    };
    const run = train(wider, { resumeFrom: forged });
    await expect(run).rejects.toThrow(
      /the checkpoint's weights do not fit the model: "conv1.weight": expected shape \[7, 7, 1, 16\], got \[7, 7, 1, 8\]/,
    );
  }, 60_000);

  test('its summary says where it stopped', () => {
    expect(describeCheckpoint(summarize(checkpoint))).toBe(
      'Run r1 (resnet18 on fake) stopped after epoch 1 of 3',
    );
  });
});
