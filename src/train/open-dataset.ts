// What the training and preview Workers share at their boundary: opening a
// stored dataset by name, and the error code of anything a request threw.
import { openShardStore } from '../data/shard-store';
import { RecipeError } from '../recipe/validate';
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

export function errorCode(error: unknown): ErrorCode {
  if (error instanceof RunError) return error.code;
  if (error instanceof RecipeError) return 'bad-recipe';
  const name = (error as { name?: string } | null)?.name;
  if (name === 'StorageError') return 'storage';
  if (name === 'DatasetFormatError') return 'no-dataset';
  return 'internal';
}
