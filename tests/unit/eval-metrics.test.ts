// The evaluation view's figures against numpy and torch
// (tests/reference/make_eval_expected.py): top-1, top-5, the confusion
// matrix, per-class accuracy, the most confused pairs and the EMA's change
// per class, for a fixed prediction set with an empty class; then the
// matrix order, the explorer's filters and the input checks.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  confusedPairs,
  emaChange,
  evaluatePredictions,
  type ModelEvaluation,
} from '../../src/eval/metrics';
import { confusionOrder, matrixOrder } from '../../src/eval/order';
import type { PredictionSet } from '../../src/eval/predictions';
import { selectImages, topOf } from '../../src/eval/select';

interface Figures {
  top1: number;
  top5: number;
  confusion: number[];
  perClass: ModelEvaluation['perClass'];
  pairs: ReturnType<typeof confusedPairs>;
}

const reference = JSON.parse(
  readFileSync(resolve(__dirname, '../reference/eval.json'), 'utf8'),
) as {
  numClasses: number;
  k: number;
  labels: number[];
  raw: { topIndices: number[]; topProbs: number[] };
  ema: { topIndices: number[]; topProbs: number[] };
  expected: { raw: Figures; ema: Figures; emaChange: (number | null)[] };
};

const predictions = (p: { topIndices: number[]; topProbs: number[] }) => ({
  topIndices: Int32Array.from(p.topIndices),
  topProbs: Float32Array.from(p.topProbs),
});

function referenceSet(): PredictionSet {
  return {
    numClasses: reference.numClasses,
    k: reference.k,
    labels: Int32Array.from(reference.labels),
    indices: Int32Array.from(reference.labels, (_, i) => i),
    raw: predictions(reference.raw),
    ema: predictions(reference.ema),
  };
}

describe('against numpy', () => {
  const evaluation = evaluatePredictions(referenceSet());
  const n = reference.numClasses;

  for (const which of ['raw', 'ema'] as const) {
    test(`${which}: top-1, top-5, matrix, per class, pairs`, () => {
      const got = evaluation[which]!;
      const want = reference.expected[which];
      expect(got.top1).toBeCloseTo(want.top1, 12);
      expect(got.top5).toBeCloseTo(want.top5, 12);
      expect([...got.confusion]).toEqual(want.confusion);
      expect(got.perClass).toHaveLength(n);
      got.perClass.forEach((c, i) => {
        const w = want.perClass[i]!;
        expect([c.classId, c.count, c.correct]).toEqual([
          w.classId,
          w.count,
          w.correct,
        ]);
        if (w.accuracy === null) expect(c.accuracy).toBeNull();
        else expect(c.accuracy).toBeCloseTo(w.accuracy, 12);
      });
      expect(confusedPairs(got.confusion, n, 10)).toEqual(want.pairs);
    });
  }

  test('the EMA against the raw weights, class by class', () => {
    const change = emaChange(evaluation.raw.perClass, evaluation.ema!.perClass);
    change.forEach((c, i) => {
      const w = reference.expected.emaChange[i]!;
      if (w === null) expect(c).toBeNull();
      else expect(c).toBeCloseTo(w, 12);
    });
  });

  test('the matrix sums to the images; its diagonal to the hits', () => {
    const { confusion, perClass, top1 } = evaluation.raw;
    expect(confusion.reduce((a, b) => a + b, 0)).toBe(reference.labels.length);
    const hits = perClass.reduce((a, c) => a + c.correct, 0);
    expect(hits / reference.labels.length).toBeCloseTo(top1, 12);
  });
});

describe('matrix order', () => {
  test('by confusion, a permutation with the worst pair side by side', () => {
    const { confusion } = evaluatePredictions(referenceSet()).raw;
    const n = reference.numClasses;
    const order = confusionOrder(confusion, n);
    expect([...order].sort((a, b) => a - b)).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    const [worst] = confusedPairs(confusion, n, 1);
    const at = (c: number) => order.indexOf(c);
    expect(Math.abs(at(worst!.trueClass) - at(worst!.predicted))).toBe(1);
    expect(matrixOrder('class', confusion, n)).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
  });

  test('chains join in weight order and never close a cycle', () => {
    // 0<->1 (5), 1<->2 (4), 2<->0 (3, would close a cycle), 3 alone.
    const n = 4;
    const m = new Int32Array(n * n);
    m[0 * n + 1] = 5;
    m[1 * n + 2] = 4;
    m[2 * n + 0] = 3;
    // One chain 0-1-2 (walked from either end), then the lone class.
    expect([
      [0, 1, 2, 3],
      [2, 1, 0, 3],
    ]).toContainEqual(confusionOrder(m, n));
  });
});

describe('explorer', () => {
  const set = referenceSet();

  test('wrong only, by class, by cell', () => {
    const all = selectImages(set, set.raw, {
      wrongOnly: false,
      trueClass: null,
      predicted: null,
    });
    expect(all).toHaveLength(set.labels.length);
    const wrong = selectImages(set, set.raw, {
      wrongOnly: true,
      trueClass: null,
      predicted: null,
    });
    const { top1 } = evaluatePredictions(set).raw;
    expect(wrong.length).toBe(Math.round((1 - top1) * set.labels.length));
    const cell = selectImages(set, set.raw, {
      wrongOnly: false,
      trueClass: 3,
      predicted: 4,
    });
    expect(cell).toHaveLength(reference.expected.raw.confusion[3 * 12 + 4]!);
    for (const i of cell) {
      expect(set.labels[i]).toBe(3);
      expect(topOf(set, set.raw, i)[0]!.classId).toBe(4);
    }
  });

  test('top-k of an image, most probable first', () => {
    const top = topOf(set, set.raw, 0);
    expect(top).toHaveLength(5);
    for (let j = 1; j < top.length; j++) {
      expect(top[j]!.prob).toBeLessThanOrEqual(top[j - 1]!.prob);
    }
  });
});

describe('bad input', () => {
  test('says what was expected and what came', () => {
    const set = referenceSet();
    expect(() =>
      evaluatePredictions({ ...set, labels: set.labels.slice(1) }),
    ).toThrow(/indices: expected one per label \(699\), got 700/);
    const labels = set.labels.slice();
    labels[2] = 12;
    expect(() =>
      evaluatePredictions({ ...set, labels, indices: set.indices }),
    ).toThrow(/labels\[2\]: expected a class in \[0, 12\), got 12/);
    expect(() =>
      evaluatePredictions({
        ...set,
        ema: { ...set.raw, topProbs: new Float32Array(3) },
      }),
    ).toThrow(/ema.topProbs: expected 700 images x 5 = 3500 entries, got 3/);
  });
});
