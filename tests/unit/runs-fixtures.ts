// Run records and epoch metrics for the run log's Node tests, built
// through the same functions the app uses.
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { newRunRecord, withEpoch, type RunRecord } from '../../src/runs/record';
import type { EpochMetrics } from '../../src/train/protocol';

export function metrics(epoch: number, valTop1: number): EpochMetrics {
  return {
    epoch,
    trainLoss: 2 / epoch,
    trainTop1: valTop1 + 0.1,
    trainTop5: Math.min(1, valTop1 + 0.3),
    valTop1,
    valTop5: Math.min(1, valTop1 + 0.2),
    lr: 0.1,
    imagesPerSecond: 100 + epoch,
    seconds: 10 * epoch,
  };
}

export function record(
  runId: string,
  options: {
    recipe?: Partial<Recipe>;
    dataset?: string;
    createdAt?: number;
    top1?: number[];
    name?: string;
  } = {},
): RunRecord {
  let r = newRunRecord({
    runId,
    dataset: options.dataset ?? 'fashion-mnist-demo',
    recipe: { ...DEFAULT_RECIPE, ...options.recipe },
    createdAt: options.createdAt ?? 0,
  });
  (options.top1 ?? []).forEach((top1, i) => {
    r = withEpoch(r, metrics(i + 1, top1));
  });
  return options.name ? { ...r, name: options.name } : r;
}
