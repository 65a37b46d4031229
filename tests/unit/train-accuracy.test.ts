// Training top-1 and top-5 as torchvision's train_one_epoch measures them:
// countHits against torch's counts (tests/reference/
// make_train_accuracy_expected.py), the counts a step returns against the
// logits of the same forward pass computed directly, on the whole batch
// and over micro-batches, and a pass's figures against a direct count, on
// the tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { readBatches } from '../../src/data/batches';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { RunControl, trainPass } from '../../src/train/epoch';
import { forwardModel } from '../../src/train/model';
import type { BatchStats } from '../../src/train/ops/batch-norm';
import {
  countedTrainStep,
  countHits,
  uploadBatch,
  type Trainee,
} from '../../src/train/step';
import { createTrainee } from '../../src/train/trainee';
import expected from '../reference/train-accuracy.json';
import { fakeBackend, fakeDataset } from './train-fakes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 16;
const NUM_CLASSES = 8;

/** Hits at 1 and at min(5, classes), by sorting each row on the host. */
function directHits(logits: number[][], labels: number[]) {
  let top1 = 0;
  let top5 = 0;
  logits.forEach((row, i) => {
    const order = row.map((_, c) => c).sort((a, b) => row[b]! - row[a]!);
    const rank = order.indexOf(labels[i]!);
    if (rank === 0) top1++;
    if (rank < Math.min(5, row.length)) top5++;
  });
  return { top1, top5 };
}

/** The class of each row's largest weight (the first of equals). */
function argMaxRows(rows: number[][]): number[] {
  return rows.map((r) => r.indexOf(Math.max(...r)));
}

function read(hits: { top1: tf.Scalar; topK: tf.Scalar }) {
  const got = { top1: hits.top1.dataSync()[0], top5: hits.topK.dataSync()[0] };
  tf.dispose([hits.top1, hits.topK]);
  return got;
}

describe('countHits counts as the reference utils.accuracy', () => {
  test.each(expected.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    let images = 0;
    let top1 = 0;
    let top5 = 0;
    for (const b of c.batches) {
      const logits = tf.tensor2d(b.logits);
      const soft = Array.isArray(b.targets[0]);
      const targets = soft
        ? tf.tensor2d(b.targets as number[][])
        : tf.tensor1d(b.targets as number[], 'int32');
      const got = read(countHits(logits, targets, 5));
      expect(got).toEqual({ top1: b.top1, top5: b.top5 });
      tf.dispose([logits, targets]);
      images += b.logits.length;
      top1 += got.top1!;
      top5 += got.top5!;
    }
    // The epoch's figure: hits over images, as the size-weighted mean
    // of the batches' percentages is.
    expect(top1 / images).toBeCloseTo(c.top1, 12);
    expect(top5 / images).toBeCloseTo(c.top5, 12);
  });
});

function trainee(micro: number | null, labelSmoothing = 0) {
  const { manifest } = fakeDataset(4, 4, SIDE);
  const classNames = Array.from({ length: NUM_CLASSES }, (_, i) => `c${i}`);
  const recipe: Recipe = {
    ...DEFAULT_RECIPE,
    width: 0.125,
    imageSize: SIDE,
    batchSize: 6,
    microBatchSize: micro,
    labelSmoothing,
  };
  return createTrainee(recipe, { ...manifest, classNames });
}

/** Train-mode logits of `x` at the current weights, as host rows. */
function trainModeLogits(t: Trainee, x: tf.Tensor4D): number[][] {
  const stats: BatchStats = new Map();
  const logits = forwardModel(t.model, x, stats);
  const rows = logits.arraySync();
  for (const s of stats.values()) s.stats.dispose();
  logits.dispose();
  return rows;
}

/** Classes of a row, highest logit first. */
function ranked(row: number[]): number[] {
  return row.map((_, c) => c).sort((a, b) => row[b]! - row[a]!);
}

// Image i's class is the one its logits rank RANKS[i]-th (from 0): two
// top-1 hits and five top-5 hits in six images.
const RANKS = [0, 2, 6, 0, 4, 1];

/**
 * Mixed rows whose largest weight (0.7 or 0.65) is on image i's class of
 * RANKS[i], the rest on its lowest-ranked class: a count that took the
 * other class of the mix would find no hit.
 */
function mixedRows(logits: number[][]): number[][] {
  return logits.map((row, i) => {
    const order = ranked(row);
    const target = order[RANKS[i]!]!;
    const other = order[7]!;
    const out = Array<number>(NUM_CLASSES).fill(0);
    out[target] = i % 2 === 0 ? 0.7 : 0.65;
    out[other] = 1 - out[target]!;
    return out;
  });
}

const image = (seed: number) =>
  tf.randomNormal([6, SIDE, SIDE, 1], 0, 1, 'float32', seed) as tf.Tensor4D;

test('a step counts the logits it trained on, with mixed targets', () => {
  const setup = trainee(null, 0.1);
  const x = image(3);
  const rows = mixedRows(trainModeLogits(setup.trainee, x));
  const targets = tf.tensor2d(rows);
  const { loss, hits } = countedTrainStep(setup.trainee, x, targets, 0.1, 5);
  expect(read(hits)).toEqual({ top1: 2, top5: 5 });
  tf.dispose([x, targets, loss]);
  setup.dispose();
});

test('micro-batches sum the hits of their own passes', () => {
  const setup = trainee(4);
  const x = image(7);
  // Each micro-batch normalises by its own statistics: 4 images, then 2.
  const logits = [
    [0, 4],
    [4, 2],
  ].flatMap(([start, size]) => {
    const xs = x.slice(start!, size!);
    const rows = trainModeLogits(setup.trainee, xs);
    xs.dispose();
    return rows;
  });
  const rows = mixedRows(logits);
  expect(directHits(logits, argMaxRows(rows))).toEqual({ top1: 2, top5: 5 });
  const targets = tf.tensor2d(rows);
  const { loss, hits } = countedTrainStep(setup.trainee, x, targets, 0.1, 5);
  expect(read(hits)).toEqual({ top1: 2, top5: 5 });
  tf.dispose([x, targets, loss]);
  setup.dispose();
});

test.each([[null], [2]])(
  'counted steps leak no tensor (micro-batch %s)',
  (micro) => {
    const setup = trainee(micro);
    const x = tf.randomNormal([6, SIDE, SIDE, 1]) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32');
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { loss, hits } = countedTrainStep(setup.trainee, x, labels, 0.1, 5);
      tf.dispose([loss, hits.top1, hits.topK]);
      // The first step makes the optimizer's slots.
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).toBe(counts[1]);
    tf.dispose([x, labels]);
    setup.dispose();
  },
);

describe('a pass reports the training accuracy of its steps', () => {
  // LR 0 keeps the weights, so the logits can be recomputed afterwards;
  // 5 steps end on a loss read (printFreq 5) or between them (2).
  test.each([[2], [5]])('loss read every %i steps', async (printFreq) => {
    const { manifest, store } = fakeDataset(20, 4, SIDE);
    const setup = trainee(null);
    const epoch = { batchSize: 4, seed: 1, epoch: 1, shuffle: true };
    const fc = () =>
      Array.from(setup.trainee.model.params.get('fc.weight')!.dataSync());
    const before = fc();
    const pass = await trainPass(readBatches(store, manifest, 'train', epoch), {
      trainee: setup.trainee,
      backend: fakeBackend,
      control: new RunControl(),
      stored: manifest,
      imageSize: SIDE,
      lr: 0,
      printFreq,
    });
    expect(fc()).toEqual(before);
    const want = { top1: 0, top5: 0 };
    for await (const batch of readBatches(store, manifest, 'train', epoch)) {
      const { x, labels } = uploadBatch(batch, manifest, SIDE);
      const h = directHits(
        trainModeLogits(setup.trainee, x),
        Array.from(batch.labels),
      );
      want.top1 += h.top1;
      want.top5 += h.top5;
      tf.dispose([x, labels]);
    }
    expect(pass.steps).toBe(5);
    expect(pass.top1).toBeCloseTo(want.top1 / 20, 12);
    expect(pass.top5).toBeCloseTo(want.top5 / 20, 12);
    // Top-5 of 8 classes is no certainty, and more than top-1.
    expect(pass.top5).toBeLessThan(1);
    expect(pass.top5).toBeGreaterThan(pass.top1);
    setup.dispose();
  });
});
