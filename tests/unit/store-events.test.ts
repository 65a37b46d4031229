import { describe, expect, test } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import type {
  BackendInfo,
  EpochMetrics,
  StepProgress,
  TrainerEvent,
  TrainReport,
} from '../../src/train/protocol';
import {
  appendLossPoints,
  applyTrainerEvent,
  applyTrainerEvents,
  IDLE_RUN,
  isBusy,
  type TrainerSlice,
} from '../../src/ui/run-events';

const initial: TrainerSlice = {
  run: { ...IDLE_RUN, kind: 'train', runId: 'r1', status: 'starting' },
  backend: null,
  error: null,
};

function step(globalStep: number, loss: number): TrainerEvent {
  const progress: StepProgress = {
    epoch: 1,
    step: globalStep,
    stepsPerEpoch: 10,
    globalStep,
    loss,
    lr: 0.01,
    imagesPerSecond: 50,
    numTensors: 120,
  };
  return { type: 'step', progress };
}

function epoch(n: number, valTop1: number): EpochMetrics {
  return {
    epoch: n,
    trainLoss: 1 / n,
    valTop1,
    valTop5: 0.99,
    lr: 0.01,
    imagesPerSecond: 50,
    seconds: 3,
  };
}

describe('applyTrainerEvents', () => {
  test('records the backend the worker reports', () => {
    const info: BackendInfo = {
      backend: 'webgpu',
      adapter: 'google swiftshader',
      tfjsVersion: '4.22.0',
      fallbackReasons: [],
      maxStorageBufferBindingSize: 2 ** 30,
      kernels: 'lab',
    };
    const next = applyTrainerEvent(initial, { type: 'backend', info });
    expect(next.backend).toEqual(info);
    expect(next.run).toBe(initial.run);
  });

  test("notices pile up in the run's order and leave the rest as it was", () => {
    const next = applyTrainerEvents(initial, [
      { type: 'notice', message: 'split into micro-batches of 32' },
      { type: 'notice', message: 'second' },
    ]);
    expect(next.run.notices).toEqual([
      'split into micro-batches of 32',
      'second',
    ]);
    expect(next.run.status).toBe(initial.run.status);
    expect(initial.run.notices).toEqual([]);
  });

  test('step events set the progress and append loss points in order', () => {
    const next = applyTrainerEvents(initial, [
      { type: 'state', state: 'running' },
      step(1, 2.3),
      step(2, 2.1),
      step(3, 1.9),
    ]);
    expect(next.run.status).toBe('running');
    expect(next.run.progress?.globalStep).toBe(3);
    expect(next.run.losses).toEqual([
      { step: 1, loss: 2.3 },
      { step: 2, loss: 2.1 },
      { step: 3, loss: 1.9 },
    ]);
  });

  test('a non-finite loss updates the progress but draws no point', () => {
    const next = applyTrainerEvents(initial, [step(1, NaN)]);
    expect(next.run.progress?.loss).toBeNaN();
    expect(next.run.losses).toEqual([]);
  });

  test('does not mutate the state it is given', () => {
    const frozen = structuredClone(initial);
    applyTrainerEvents(initial, [
      step(1, 2),
      { type: 'phase', phase: 'eval', epoch: 1 },
    ]);
    expect(initial).toEqual(frozen);
  });

  test('epoch metrics are kept in order, a repeated epoch replaced', () => {
    const next = applyTrainerEvents(initial, [
      { type: 'epoch', metrics: epoch(2, 0.5) },
      { type: 'epoch', metrics: epoch(1, 0.4) },
      { type: 'epoch', metrics: epoch(2, 0.6) },
    ]);
    expect(next.run.epochs.map((e) => [e.epoch, e.valTop1])).toEqual([
      [1, 0.4],
      [2, 0.6],
    ]);
  });

  test('done stores the report and finishes the run', () => {
    const report = {
      runId: 'r1',
      epochs: [epoch(1, 0.7)],
      bestValTop1: 0.7,
      bestEpoch: 1,
      recipe: DEFAULT_RECIPE,
    } as unknown as TrainReport;
    const next = applyTrainerEvents(initial, [
      { type: 'phase', phase: 'eval', epoch: 1 },
      { type: 'done', report },
    ]);
    expect(next.run.status).toBe('finished');
    expect(next.run.phase).toBeNull();
    expect(next.run.report).toBe(report);
    expect(next.run.epochs).toEqual(report.epochs);
    expect(isBusy(next.run.status)).toBe(false);
  });

  test('an error event fails the run and keeps the code for the UI', () => {
    const next = applyTrainerEvent(initial, {
      type: 'error',
      error: { code: 'device-lost', message: 'GPU device was lost' },
    });
    expect(next.run.status).toBe('failed');
    expect(next.error).toEqual({
      source: 'trainer',
      code: 'device-lost',
      message: 'GPU device was lost',
    });
  });
});

describe('appendLossPoints', () => {
  test('keeps every point under the cap', () => {
    const points = appendLossPoints(
      [{ step: 1, loss: 1 }],
      [{ step: 2, loss: 2 }],
      4,
    );
    expect(points).toHaveLength(2);
  });

  test('merges neighbours above the cap and keeps the newest step', () => {
    const added = Array.from({ length: 9 }, (_, i) => ({
      step: i + 1,
      loss: i,
    }));
    const points = appendLossPoints([], added, 8);
    expect(points.length).toBeLessThanOrEqual(8);
    expect(points[0]).toEqual({ step: 2, loss: 0.5 });
    expect(points.at(-1)).toEqual({ step: 9, loss: 8 });
  });
});
