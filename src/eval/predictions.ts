// What an evaluation of a run's weights returns, image by image: the label
// and the k most probable classes with their softmax probabilities, in
// flat typed arrays (k entries per image, most probable first) so 8,000
// images cross the Worker boundary as a few buffers. Imports nothing.

/** Classes kept per image: top-5 accuracy needs five. */
export const TOP_K = 5;

export interface Predictions {
  /** numImages x k class indices, most probable first. */
  topIndices: Int32Array;
  /** Their softmax probabilities, in the same order. */
  topProbs: Float32Array;
}

export interface PredictionSet {
  numClasses: number;
  /** Entries per image in `topIndices` and `topProbs`. */
  k: number;
  /** True class of each image. */
  labels: Int32Array;
  /** Each image's index in its split (store order), for its pixels. */
  indices: Int32Array;
  /** The weights as trained. */
  raw: Predictions;
  /** The EMA's averaged weights, when the run kept them. */
  ema: Predictions | null;
}

const int = (n: number) => Number.isInteger(n) && n >= 0;

function checkPredictions(set: PredictionSet, which: string, p: Predictions) {
  const { labels, k, numClasses } = set;
  const want = labels.length * k;
  for (const [name, array] of [
    ['topIndices', p.topIndices],
    ['topProbs', p.topProbs],
  ] as const) {
    if (array.length !== want) {
      throw new Error(
        `${which}.${name}: expected ${labels.length} images x ${k} = ` +
          `${want} entries, got ${array.length}`,
      );
    }
  }
  const bad = p.topIndices.findIndex((c) => !(c >= 0 && c < numClasses));
  if (bad >= 0) {
    throw new Error(
      `${which}.topIndices[${bad}]: expected a class in [0, ` +
        `${numClasses}), got ${p.topIndices[bad]}`,
    );
  }
}

/** Throws saying what was expected and what came when `set` is malformed. */
export function checkPredictionSet(set: PredictionSet): void {
  if (!int(set.numClasses) || set.numClasses < 1) {
    throw new Error(
      `numClasses: expected a positive integer, got ${set.numClasses}`,
    );
  }
  if (!int(set.k) || set.k < 1) {
    throw new Error(`k: expected a positive integer, got ${set.k}`);
  }
  if (set.indices.length !== set.labels.length) {
    throw new Error(
      `indices: expected one per label (${set.labels.length}), got ` +
        `${set.indices.length}`,
    );
  }
  const bad = set.labels.findIndex((c) => !(c >= 0 && c < set.numClasses));
  if (bad >= 0) {
    throw new Error(
      `labels[${bad}]: expected a class in [0, ${set.numClasses}), got ` +
        `${set.labels[bad]}`,
    );
  }
  checkPredictions(set, 'raw', set.raw);
  if (set.ema) checkPredictions(set, 'ema', set.ema);
}
