// The evaluation panel's logic without a browser: the class table's rows,
// sort and filter, and the store driven by a fake evaluator (progress,
// result, a failure, raw against EMA, the matrix order).
import { describe, expect, test } from 'vitest';
import { classRows, sortClasses } from '../../src/eval/class-rows';
import { evaluatePredictions } from '../../src/eval/metrics';
import type { PredictionSet } from '../../src/eval/predictions';
import type { ShardStore } from '../../src/data/shard-store';
import type { EvalResult, TrainerEvent } from '../../src/train/protocol';
import { createEvalStore } from '../../src/ui/eval-store';

/** 3 classes, k 2: class 0 all right, 1 half taken for 2, 2 none. */
function tinySet(): PredictionSet {
  const labels = Int32Array.from([0, 0, 1, 1, 1, 1]);
  const top = [0, 1, 0, 2, 1, 0, 2, 1, 1, 2, 2, 1];
  const probs = top.map((_, j) => (j % 2 === 0 ? 0.7 : 0.2));
  const emaTop = [0, 1, 0, 2, 1, 0, 1, 2, 1, 2, 1, 2];
  return {
    numClasses: 3,
    k: 2,
    labels,
    indices: Int32Array.from(labels, (_, i) => i),
    raw: {
      topIndices: Int32Array.from(top),
      topProbs: Float32Array.from(probs),
    },
    ema: {
      topIndices: Int32Array.from(emaTop),
      topProbs: Float32Array.from(probs),
    },
  };
}

const NAMES = ['Coupe', 'Sedan', 'Van'];

describe('class rows', () => {
  const rows = classRows(evaluatePredictions(tinySet()), NAMES);

  test('counts, accuracy and the EMA change per class', () => {
    expect(rows.map((r) => [r.name, r.count, r.correct])).toEqual([
      ['Coupe', 2, 2],
      ['Sedan', 4, 2],
      ['Van', 0, 0],
    ]);
    expect(rows[1]!.accuracy).toBe(0.5);
    expect(rows[1]!.emaAccuracy).toBe(1);
    expect(rows[1]!.change).toBe(0.5);
    expect(rows[2]!.accuracy).toBeNull();
  });

  test('sorted either way, classes without images last; filtered', () => {
    const ids = (column: 'accuracy' | 'name' | 'count', descending: boolean) =>
      sortClasses(rows, { column, descending }).map((r) => r.classId);
    expect(ids('accuracy', false)).toEqual([1, 0, 2]);
    expect(ids('accuracy', true)).toEqual([0, 1, 2]);
    expect(ids('name', true)).toEqual([2, 1, 0]);
    expect(ids('count', true)).toEqual([1, 0, 2]);
    const kept = sortClasses(rows, { column: 'name', descending: false }, 'se');
    expect(kept.map((r) => r.name)).toEqual(['Sedan']);
  });
});

function fakeEvaluator() {
  const listeners = new Set<(e: TrainerEvent) => void>();
  let finish: (r: EvalResult) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ended = { count: 0 };
  return {
    ended,
    terminate: () => void ended.count++,
    evaluate: () =>
      new Promise<EvalResult>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      }),
    subscribe(listener: (e: TrainerEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send: (e: TrainerEvent) => listeners.forEach((l) => l(e)),
    finish: (r: EvalResult) => finish(r),
    fail: (e: Error) => fail(e),
  };
}

const result = (): EvalResult => ({
  ...tinySet(),
  runId: 'r1',
  source: 'final',
  dataset: 'cars',
  classNames: NAMES,
  epochs: 3,
  seconds: 1,
});

const noShards = () =>
  Promise.reject(new Error('no store')) as Promise<ShardStore>;

describe('store', () => {
  test('progress, then the figures; EMA and confusion order', async () => {
    const evaluator = fakeEvaluator();
    const store = createEvalStore({ evaluator, openShards: noShards });
    const opened = store.getState().open('r1', 'final', 'first run');
    expect(store.getState()).toMatchObject({
      status: 'running',
      target: { runId: 'r1', name: 'first run', source: 'final' },
    });
    evaluator.send({
      type: 'eval-progress',
      weights: 'raw',
      done: 2,
      total: 6,
    });
    expect(store.getState().progress).toEqual({
      weights: 'raw',
      done: 2,
      total: 6,
    });
    evaluator.finish(result());
    await opened;
    const s = store.getState();
    expect(s.status).toBe('done');
    expect(s.evaluation!.raw.top1).toBeCloseTo(4 / 6, 12);
    expect(s.evaluation!.ema!.top1).toBe(1);
    expect(s.matrixClasses).toEqual([0, 1, 2]);

    store.getState().setOrder('confusion');
    // Sedan and Van are confused: neighbours in the order.
    const order = store.getState().matrixClasses;
    expect(Math.abs(order.indexOf(1) - order.indexOf(2))).toBe(1);
    store.getState().setWeights('ema');
    expect(store.getState().weights).toBe('ema');
    await expect(store.getState().image(0)).rejects.toThrow(/no store/);
  });

  test('a failure is shown; a later request wins over an earlier one', async () => {
    const evaluator = fakeEvaluator();
    const store = createEvalStore({ evaluator, openShards: noShards });
    const first = store.getState().open('r1', 'checkpoint');
    evaluator.fail(new Error('expected a checkpoint of run "r1", found none'));
    await first;
    expect(store.getState()).toMatchObject({
      status: 'failed',
      error: 'expected a checkpoint of run "r1", found none',
    });
    expect(evaluator.ended.count).toBe(0);
    const second = store.getState().open('r1', 'final');
    store.getState().show({ ...result(), runId: 'shown' });
    evaluator.finish(result());
    await second;
    expect(store.getState().target?.runId).toBe('shown');
    store.getState().close();
    expect(store.getState().status).toBe('idle');

    // Another run while one is evaluated ends the first; so does Close.
    void store.getState().open('r1', 'final');
    void store.getState().open('r2', 'final');
    expect(evaluator.ended.count).toBe(1);
    store.getState().close();
    expect(evaluator.ended.count).toBe(2);
  });
});
