// Which images the prediction explorer lists: all, the wrong ones, those
// of one true class, or one cell of the confusion matrix. Pure.
import type { PredictionSet, Predictions } from './predictions';

export interface ImageFilter {
  wrongOnly: boolean;
  /** Only images of this true class; null for all. */
  trueClass: number | null;
  /** Only images whose top-1 is this class; null for any. */
  predicted: number | null;
}

export const ALL_IMAGES: ImageFilter = {
  wrongOnly: false,
  trueClass: null,
  predicted: null,
};

/** Positions in the set of the images `filter` keeps, in set order. */
export function selectImages(
  set: Pick<PredictionSet, 'labels' | 'k'>,
  p: Predictions,
  filter: ImageFilter,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < set.labels.length; i++) {
    const label = set.labels[i]!;
    const top = p.topIndices[i * set.k]!;
    if (filter.wrongOnly && top === label) continue;
    if (filter.trueClass !== null && label !== filter.trueClass) continue;
    if (filter.predicted !== null && top !== filter.predicted) continue;
    out.push(i);
  }
  return out;
}

/** One image's k predictions, most probable first. */
export function topOf(
  set: Pick<PredictionSet, 'k'>,
  p: Predictions,
  i: number,
): { classId: number; prob: number }[] {
  return Array.from({ length: set.k }, (_, j) => ({
    classId: p.topIndices[i * set.k + j]!,
    prob: p.topProbs[i * set.k + j]!,
  }));
}
