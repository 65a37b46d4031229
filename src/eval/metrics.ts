// Accuracy, per-class accuracy, the confusion matrix and the most confused
// pairs of a prediction set (predictions.ts). Pure: no DOM, no tfjs; the
// numbers are held against numpy by tests/reference/make_eval_expected.py.
import {
  checkPredictionSet,
  type PredictionSet,
  type Predictions,
} from './predictions';

export interface ClassAccuracy {
  classId: number;
  /** Images of the class in the set. */
  count: number;
  /** Of those, predicted as the class (top-1). */
  correct: number;
  /** correct / count; null for a class with no images. */
  accuracy: number | null;
}

export interface ConfusedPair {
  trueClass: number;
  predicted: number;
  /** Images of `trueClass` predicted as `predicted`. */
  count: number;
  /** The other direction: images of `predicted` taken for `trueClass`. */
  reverse: number;
}

export interface ModelEvaluation {
  top1: number;
  top5: number;
  /** numClasses x numClasses, row = true class, column = top-1 class. */
  confusion: Int32Array;
  perClass: ClassAccuracy[];
}

export interface Evaluation {
  numClasses: number;
  numImages: number;
  raw: ModelEvaluation;
  ema: ModelEvaluation | null;
}

/** Share of images whose label is among the first `k` predictions. */
export function topKAccuracy(
  labels: Int32Array,
  p: Predictions,
  stride: number,
  k: number,
): number {
  if (labels.length === 0) return 0;
  const kk = Math.min(k, stride);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < kk; j++) {
      if (p.topIndices[i * stride + j] === labels[i]) {
        hits++;
        break;
      }
    }
  }
  return hits / labels.length;
}

/** Counts of (true class, top-1 class), row-major by true class. */
export function confusionMatrix(
  labels: Int32Array,
  p: Predictions,
  stride: number,
  numClasses: number,
): Int32Array {
  const matrix = new Int32Array(numClasses * numClasses);
  for (let i = 0; i < labels.length; i++) {
    matrix[labels[i]! * numClasses + p.topIndices[i * stride]!]!++;
  }
  return matrix;
}

/** Each class's images and top-1 hits, from the matrix's rows. */
export function classAccuracies(
  confusion: Int32Array,
  numClasses: number,
): ClassAccuracy[] {
  const out: ClassAccuracy[] = [];
  for (let c = 0; c < numClasses; c++) {
    let count = 0;
    for (let j = 0; j < numClasses; j++)
      count += confusion[c * numClasses + j]!;
    const correct = confusion[c * numClasses + c]!;
    out.push({
      classId: c,
      count,
      correct,
      accuracy: count > 0 ? correct / count : null,
    });
  }
  return out;
}

/**
 * The off-diagonal cells with the most images, each direction on its own
 * (a->b and b->a are two pairs), by count, then true class, then
 * predicted class.
 */
export function confusedPairs(
  confusion: Int32Array,
  numClasses: number,
  limit: number,
): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  for (let t = 0; t < numClasses; t++) {
    for (let p = 0; p < numClasses; p++) {
      const count = confusion[t * numClasses + p]!;
      if (t === p || count === 0) continue;
      const reverse = confusion[p * numClasses + t]!;
      pairs.push({ trueClass: t, predicted: p, count, reverse });
    }
  }
  pairs.sort(
    (a, b) =>
      b.count - a.count ||
      a.trueClass - b.trueClass ||
      a.predicted - b.predicted,
  );
  return pairs.slice(0, limit);
}

function evaluateModel(set: PredictionSet, p: Predictions): ModelEvaluation {
  const { labels, k, numClasses } = set;
  const confusion = confusionMatrix(labels, p, k, numClasses);
  return {
    top1: topKAccuracy(labels, p, k, 1),
    top5: topKAccuracy(labels, p, k, 5),
    confusion,
    perClass: classAccuracies(confusion, numClasses),
  };
}

/** Every figure of the evaluation view, for the weights and their EMA. */
export function evaluatePredictions(set: PredictionSet): Evaluation {
  checkPredictionSet(set);
  return {
    numClasses: set.numClasses,
    numImages: set.labels.length,
    raw: evaluateModel(set, set.raw),
    ema: set.ema ? evaluateModel(set, set.ema) : null,
  };
}

/**
 * Per class, EMA accuracy minus raw accuracy (null for a class with no
 * images): where averaging the weights helped and where it hurt.
 */
export function emaChange(
  raw: readonly ClassAccuracy[],
  ema: readonly ClassAccuracy[],
): (number | null)[] {
  return raw.map((r, c) => {
    const e = ema[c]?.accuracy ?? null;
    return r.accuracy === null || e === null ? null : e - r.accuracy;
  });
}
