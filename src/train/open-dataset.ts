// What the training and preview Workers share at their boundary: opening a
// stored dataset by name with the pixel statistics its inputs are
// normalised by, and the error code of anything a request threw.
import { measurePixelStats } from '../data/pixel-stats';
import type { DatasetManifest } from '../data/schema';
import { openShardStore, type ShardStore } from '../data/shard-store';
import type { Recipe } from '../recipe/recipe';
import { RecipeError } from '../recipe/validate';
import { openWeightsCache, WeightsError } from '../weights/cache';
import { inputNormalization } from '../weights/info';
import { RunError } from './epoch';
import type { ErrorCode } from './protocol';

/** The shard store and a complete dataset's manifest, or a RunError. */
export async function openDataset(name: string) {
  const store = await openShardStore();
  const manifest = await store.getManifest(name);
  if (!manifest) {
    throw new RunError('no-dataset', `no dataset named "${name}" is stored`);
  }
  if (!manifest.complete) {
    throw new RunError(
      'no-dataset',
      `the import of "${name}" has not finished; resume it first`,
    );
  }
  return { store, manifest };
}

/**
 * The dataset with its pixel statistics, measured and kept on the first
 * run over it; a store that cannot keep them (full, read-only) still gets
 * this run normalised by them, and `notice` says why they were not kept.
 */
export async function withPixelStats(
  store: ShardStore,
  manifest: DatasetManifest,
  notice: (message: string) => void,
): Promise<DatasetManifest> {
  if (manifest.pixelStats) return manifest;
  const pixelStats = await measurePixelStats(store, manifest);
  const measured = { ...manifest, pixelStats };
  try {
    await store.putManifest(measured);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    notice(`the dataset's pixel statistics were measured but not kept: ${why}`);
  }
  return measured;
}

/**
 * With `pretrained` and `weights`: the cached file, and the manifest with
 * the weights' normalisation in place of the dataset's pixel statistics,
 * since the network learnt its filters on inputs normalised that way.
 */
export async function withCachedWeights(
  recipe: Recipe,
  manifest: DatasetManifest,
): Promise<{
  manifest: DatasetManifest;
  weights: { id: string; bytes: Uint8Array; configFrom: string } | null;
}> {
  if (!recipe.pretrained || recipe.weights === null) {
    return { manifest, weights: null };
  }
  const cache = await openWeightsCache();
  try {
    const { entry, bytes } = await cache.get(recipe.weights);
    const { info } = entry;
    const pixelStats = inputNormalization(
      info.normalization,
      manifest.channels,
    );
    return {
      manifest: { ...manifest, pixelStats },
      weights: { id: entry.id, bytes, configFrom: info.configFrom },
    };
  } finally {
    cache.close();
  }
}

export function errorCode(error: unknown): ErrorCode {
  if (error instanceof RunError) return error.code;
  if (error instanceof RecipeError) return 'bad-recipe';
  if (error instanceof WeightsError) {
    return error.code === 'quota' || error.code === 'storage'
      ? 'storage'
      : 'weights';
  }
  const name = (error as { name?: string } | null)?.name;
  if (name === 'StorageError') return 'storage';
  if (name === 'DatasetFormatError') return 'no-dataset';
  if (name === 'CheckpointError') return 'no-checkpoint';
  return 'internal';
}
