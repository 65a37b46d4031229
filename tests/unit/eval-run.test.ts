// A run's weights evaluated again on the tfjs CPU backend: the final
// weights and the EMA's (from the run's weights event) and the epoch-1
// checkpoint's must give the top-1 and top-5 the run itself reported for
// them, image by image in store order; weights of another network are
// refused by name and change nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { evaluatePredictions } from '../../src/eval/metrics';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import type { RunCheckpoint } from '../../src/train/checkpoint';
import { RunControl } from '../../src/train/epoch';
import { checkpointWeights } from '../../src/train/eval-source';
import { runEvaluation } from '../../src/train/evaluate';
import { runTraining } from '../../src/train/loop';
import type {
  EvalResult,
  NamedWeights,
  TrainerEvent,
} from '../../src/train/protocol';
import { fakeBackend, fakeDataset } from './train-fakes';

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
  lr: 0.5,
  modelEma: true,
  modelEmaSteps: 1,
  modelEmaDecay: 0.99,
};

async function trainRun() {
  const { manifest, store } = fakeDataset(16, 24, SIDE);
  const events: TrainerEvent[] = [];
  const checkpoints: RunCheckpoint[] = [];
  const report = await runTraining({
    backend: fakeBackend,
    store,
    manifest,
    recipe,
    runId: 'eval-run',
    control: new RunControl(),
    emit: (e) => events.push(e),
    checkpoints: {
      put: async (c) => void checkpoints.push(c),
      delete: async () => {},
    },
  });
  const weights = events.find((e) => e.type === 'weights');
  if (weights?.type !== 'weights') throw new Error('expected weights');
  return { manifest, store, report, weights, checkpoint: checkpoints[0]! };
}

function evaluate(
  run: Awaited<ReturnType<typeof trainRun>>,
  weights: NamedWeights,
  ema: NamedWeights | null,
  events: TrainerEvent[] = [],
): Promise<EvalResult> {
  return runEvaluation({
    backend: fakeBackend,
    store: run.store,
    manifest: run.manifest,
    recipe,
    runId: 'eval-run',
    source: 'final',
    epochs: 2,
    weights,
    ema,
    emit: (e) => events.push(e),
  });
}

test('final, EMA and checkpoint weights give the run its own figures', async () => {
  const run = await trainRun();
  const [epoch1, epoch2] = run.report.epochs;
  const before = tf.memory().numTensors;
  const events: TrainerEvent[] = [];
  const final = await evaluate(
    run,
    run.weights.weights,
    run.weights.ema!,
    events,
  );
  expect(tf.memory().numTensors).toBe(before);
  const figures = evaluatePredictions(final);
  expect(figures.raw.top1).toBe(epoch2!.valTop1);
  expect(figures.raw.top5).toBe(epoch2!.valTop5);
  expect(figures.ema!.top1).toBe(epoch2!.valTop1Ema);
  expect(figures.ema!.top5).toBe(epoch2!.valTop5Ema);

  // Store order, every image once, labels as stored, k = the 4 classes.
  expect(final.k).toBe(4);
  expect([...final.indices]).toEqual([...Array(24).keys()]);
  expect([...final.labels]).toEqual([...Array(24).keys()].map((i) => i % 4));
  for (let i = 0; i < 24; i++) {
    const probs = final.raw.topProbs.subarray(i * 4, i * 4 + 4);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (let j = 1; j < 4; j++)
      expect(probs[j]).toBeLessThanOrEqual(probs[j - 1]!);
  }
  const progress = events.filter((e) => e.type === 'eval-progress');
  expect(progress.at(-1)).toEqual({
    type: 'eval-progress',
    weights: 'ema',
    done: 24,
    total: 24,
  });

  const stored = checkpointWeights(run.checkpoint);
  const fromCheckpoint = evaluatePredictions(
    await evaluate(run, stored.weights, stored.ema),
  );
  expect(fromCheckpoint.raw.top1).toBe(epoch1!.valTop1);
  expect(fromCheckpoint.ema!.top1).toBe(epoch1!.valTop1Ema);
});

test('weights of another network are refused by name', async () => {
  const run = await trainRun();
  const { ['fc.bias']: _dropped, ...rest } = run.weights.weights;
  await expect(evaluate(run, rest, null)).rejects.toMatchObject({
    code: 'no-weights',
    message: expect.stringMatching(/fc\.bias/),
  });
});
