// A run record through a run's life: epochs, the thinned step series, the
// end as the report tells it, and a run a closed page left behind.
import { describe, expect, test } from 'vitest';
import {
  closeInterrupted,
  MAX_STEP_POINTS,
  thinSteps,
  withEpoch,
  withFailure,
  withReport,
  withResumed,
  withSteps,
  type StepPoint,
} from '../../src/runs/record';
import type { StepProgress, TrainReport } from '../../src/train/protocol';
import { metrics, record } from './runs-fixtures';

const progressAt = (globalStep: number): StepProgress => ({
  epoch: Math.ceil(globalStep / 2),
  step: 2 - (globalStep % 2),
  stepsPerEpoch: 2,
  globalStep,
  loss: globalStep,
  lr: 0.1,
  imagesPerSecond: 10,
  numTensors: 1,
});

const points = (from: number, n: number): StepPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    step: from + i,
    loss: from + i,
    lr: (from + i) / 1000,
    windows: 1,
  }));

describe('thinSteps', () => {
  test('keeps every point while under the cap', () => {
    expect(thinSteps(points(1, 3), points(4, 2), 8)).toEqual(points(1, 5));
  });

  test('never exceeds the cap and still spans the whole run', () => {
    let kept: StepPoint[] = [];
    let last = 0;
    for (let from = 1; from <= 10_000; from += 7) {
      kept = thinSteps(kept, points(from, 7), 64);
      last = from + 6;
      expect(kept.length).toBeLessThanOrEqual(64);
    }
    expect(kept.at(-1)!.step).toBe(last);
    // Even buckets: all but the last average the same number of windows.
    const stride = kept[0]!.windows;
    expect(kept.length).toBeGreaterThan(32);
    expect(kept.slice(0, -1).every((p) => p.windows === stride)).toBe(true);
    expect(kept[0]!.step).toBe(stride);
    expect(kept.reduce((n, p) => n + p.windows, 0)).toBe(last);
  });

  test('a merged point holds the mean loss at the later step and LR', () => {
    expect(thinSteps(points(1, 2), points(3, 1), 2)).toEqual([
      { step: 2, loss: 1.5, lr: 0.002, windows: 2 },
      { step: 3, loss: 3, lr: 0.003, windows: 1 },
    ]);
  });

  test('the mean loss over all windows is kept by the thinning', () => {
    const all = points(1, 1000);
    const kept = thinSteps([], all, 100);
    const mean = (p: StepPoint[]) =>
      p.reduce((s, x) => s + x.loss * x.windows, 0) /
      p.reduce((n, x) => n + x.windows, 0);
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(kept.length).toBeGreaterThan(50);
    expect(mean(kept)).toBeCloseTo(mean(all), 9);
  });

  test('a cap below 1 is refused', () => {
    expect(() => thinSteps([], [], 0)).toThrow(/expected at least 1, got 0/);
  });

  test('a record keeps at most MAX_STEP_POINTS', () => {
    let r = record('r');
    const progress = (globalStep: number, loss: number): StepProgress => ({
      epoch: 1,
      step: globalStep,
      stepsPerEpoch: 10_000,
      globalStep,
      loss,
      lr: 0.1,
      imagesPerSecond: 1,
      numTensors: 1,
    });
    for (let s = 1; s <= 3 * MAX_STEP_POINTS; s++) {
      r = withSteps(r, [progress(s, s % 7)]);
    }
    r = withSteps(r, [progress(10_001, Number.NaN)]);
    expect(r.steps.length).toBeLessThanOrEqual(MAX_STEP_POINTS);
    expect(r.steps.at(-1)!.step).toBe(3 * MAX_STEP_POINTS);
  });
});

describe('run records', () => {
  test('the best top-1 follows the epochs, a repeated epoch replaced', () => {
    let r = record('r', { top1: [0.2, 0.5, 0.4] });
    expect([r.bestTop1, r.bestEpoch]).toEqual([0.5, 2]);
    r = withEpoch(r, metrics(2, 0.1));
    expect(r.epochs.map((e) => e.valTop1)).toEqual([0.2, 0.1, 0.4]);
    expect([r.bestTop1, r.bestEpoch]).toEqual([0.4, 3]);
  });

  test('a new record names itself after its run and its recipe query', () => {
    const r = record('run-x', { recipe: { lr: 0.4, seed: 3 } });
    expect(r).toMatchObject({
      name: 'run-x',
      status: 'running',
      model: 'resnet18',
      seed: 3,
      query: 'lr=0.4&seed=3',
      bestTop1: null,
    });
  });

  test('the report ends it: finished, or stopped when stopped', () => {
    const r = record('r', { top1: [0.3] });
    const report = {
      epochs: [metrics(1, 0.3), metrics(2, 0.6)],
      bestValTop1: 0.6,
      bestEpoch: 2,
      stopped: false,
      normalization: { mean: [0.25], std: [0.5] },
      numTrainImages: 64,
      numValImages: 1000,
      weights: { id: 'timm/resnet50.a1_in1k' },
    } as TrainReport;
    expect(withReport(r, report, 99)).toMatchObject({
      status: 'finished',
      finishedAt: 99,
      bestTop1: 0.6,
      bestEpoch: 2,
      outcome: {
        normalization: { mean: [0.25], std: [0.5] },
        numTrainImages: 64,
        numValImages: 1000,
        startedFrom: 'timm/resnet50.a1_in1k',
      },
    });
    const stopped = { ...report, stopped: true, epochs: [] };
    expect(withReport(r, stopped, 5)).toMatchObject({
      status: 'stopped',
      bestTop1: null,
    });
  });

  test('a run left running by a closed page is closed as failed', () => {
    const r = record('r', { top1: [0.3] });
    const closed = closeInterrupted(r, 42);
    expect(closed).toMatchObject({ status: 'failed', finishedAt: 42 });
    expect(closed.error).toMatch(/page closed/);
    expect(closed.epochs).toEqual(r.epochs);
    const failed = withFailure(r, 'device lost', 7);
    expect(closeInterrupted(failed, 42)).toBe(failed);
  });

  test('a resumed run continues its record from the checkpoint', () => {
    // Interrupted in epoch 3, with a loss read past the checkpoint at
    // step 4 (two steps an epoch) that the resumed run makes again.
    let r = closeInterrupted(record('r', { top1: [0.3, 0.5] }), 42);
    r = withSteps(r, [1, 2, 3, 4, 5].map(progressAt));
    const resumed = {
      runId: 'r',
      dataset: r.dataset,
      recipe: r.recipe,
      epochs: [metrics(1, 0.3), metrics(2, 0.5)],
      losses: [2, 4].map((step) => ({ step, loss: step })),
    };
    const continued = withResumed(r, resumed, 50);
    expect(continued).toMatchObject({
      status: 'running',
      finishedAt: null,
      error: null,
      name: r.name,
      createdAt: r.createdAt,
      bestTop1: 0.5,
      bestEpoch: 2,
    });
    expect(continued.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);

    // Then epoch 3 and its steps append, and the report finishes it.
    let next = withSteps(continued, [5, 6].map(progressAt));
    next = withEpoch(next, metrics(3, 0.7));
    expect(next.steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(next.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const report = {
      epochs: next.epochs,
      bestValTop1: 0.7,
      bestEpoch: 3,
      stopped: false,
    } as TrainReport;
    expect(withReport(next, report, 90)).toMatchObject({
      status: 'finished',
      finishedAt: 90,
      bestTop1: 0.7,
    });
  });

  test('a resumed run without a record gets one from its checkpoint', () => {
    const recipe = record('r').recipe;
    const epochs = [
      { ...metrics(1, 0.3), lr: 0.1 },
      { ...metrics(2, 0.5), lr: 0.01 },
    ];
    const losses = [1, 2, 3, 4].map((step) => ({ step, loss: 5 - step }));
    const made = withResumed(
      undefined,
      { runId: 'r', dataset: 'demo', recipe, epochs, losses },
      77,
    );
    expect(made).toMatchObject({
      runId: 'r',
      status: 'running',
      createdAt: 77,
      dataset: 'demo',
      bestTop1: 0.5,
    });
    // Two steps an epoch: the LR of the epoch each read fell in.
    expect(made.steps.map((p) => [p.step, p.loss, p.lr])).toEqual([
      [1, 4, 0.1],
      [2, 3, 0.1],
      [3, 2, 0.01],
      [4, 1, 0.01],
    ]);
  });
});
