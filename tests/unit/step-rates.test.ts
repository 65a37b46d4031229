// The LR and speed series behind the step charts: what trainer events add
// to the run, how a long run is thinned, and the rows the charts draw.
import { describe, expect, test } from 'vitest';
import type { EpochMetrics, TrainerEvent } from '../../src/train/protocol';
import { epochSpeedRows, stepRateRows } from '../../src/ui/chart-data';
import {
  appendRatePoints,
  applyTrainerEvents,
  IDLE_RUN,
  type TrainerSlice,
} from '../../src/ui/run-events';

const initial: TrainerSlice = {
  run: { ...IDLE_RUN, kind: 'train', runId: 'r1', status: 'running' },
  backend: null,
  error: null,
};

function step(
  globalStep: number,
  lr: number,
  imagesPerSecond: number,
  loss = 1,
): TrainerEvent {
  return {
    type: 'step',
    progress: {
      epoch: 1,
      step: globalStep,
      stepsPerEpoch: 40,
      globalStep,
      loss,
      lr,
      imagesPerSecond,
      numTensors: 100,
    },
  };
}

function epoch(n: number, imagesPerSecond: number): EpochMetrics {
  return {
    epoch: n,
    trainLoss: 1,
    valTop1: 0.5,
    valTop5: 0.9,
    lr: 0.1,
    imagesPerSecond,
    seconds: 2,
  };
}

describe('the run keeps the LR and speed of each loss read', () => {
  test('each step report adds one point, in order', () => {
    const next = applyTrainerEvents(initial, [
      step(10, 0.1, 20),
      step(20, 0.05, 30),
    ]);
    expect(next.run.rates).toEqual([
      { step: 10, lr: 0.1, imagesPerSecond: 20 },
      { step: 20, lr: 0.05, imagesPerSecond: 30 },
    ]);
  });

  test('a window whose loss is not finite still has its LR and speed', () => {
    const next = applyTrainerEvents(initial, [step(10, 0.1, 20, NaN)]);
    expect(next.run.losses).toEqual([]);
    expect(next.run.rates).toEqual([
      { step: 10, lr: 0.1, imagesPerSecond: 20 },
    ]);
  });

  test('a batch without step reports leaves the list as it was', () => {
    const before = applyTrainerEvents(initial, [step(10, 0.1, 20)]);
    const after = applyTrainerEvents(before, [
      { type: 'state', state: 'paused' },
    ]);
    expect(after.run.rates).toBe(before.run.rates);
  });

  test('above the cap, neighbours merge into their mean at the later step', () => {
    const added = Array.from({ length: 9 }, (_, i) => ({
      step: i + 1,
      lr: i,
      imagesPerSecond: 10 * i,
    }));
    const points = appendRatePoints([], added, 8);
    expect(points.length).toBeLessThanOrEqual(8);
    expect(points[0]).toEqual({ step: 2, lr: 0.5, imagesPerSecond: 5 });
    expect(points.at(-1)).toEqual({ step: 9, lr: 8, imagesPerSecond: 80 });
  });
});

describe('rows for the LR and speed charts', () => {
  test('step rows carry the LR and the speed per loss read', () => {
    const rows = stepRateRows([
      { step: 10, lr: 0.1, imagesPerSecond: 20 },
      { step: 20, lr: 0.05, imagesPerSecond: 30 },
    ]);
    expect(rows).toEqual([
      { step: 10, lr: 0.1, imagesPerSecond: 20 },
      { step: 20, lr: 0.05, imagesPerSecond: 30 },
    ]);
  });

  test('step rows are capped and keep the newest read', () => {
    const points = Array.from({ length: 5_000 }, (_, i) => ({
      step: i,
      lr: 0.1,
      imagesPerSecond: i,
    }));
    const rows = stepRateRows(points, 100);
    expect(rows).toHaveLength(100);
    expect(rows.at(-1)).toEqual({
      step: 4_999,
      lr: 0.1,
      imagesPerSecond: 4_999,
    });
  });

  test("each epoch's speed sits at the step the epoch ended at", () => {
    const rows = epochSpeedRows([epoch(1, 12), epoch(2, 15)], 40);
    expect(rows).toEqual([
      { step: 40, epoch: 1, imagesPerSecond: 12 },
      { step: 80, epoch: 2, imagesPerSecond: 15 },
    ]);
  });

  test('no epoch rows before the steps per epoch are known', () => {
    expect(epochSpeedRows([epoch(1, 12)], null)).toEqual([]);
  });
});
