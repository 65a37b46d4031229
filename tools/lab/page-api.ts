// The automation surface that the built app exposes on `window`, as the CLI
// sees it. The app defines it, and its types, in src/app/automation.ts.
import type { DatasetManifest } from '../../src/data/schema';
import type {
  RecipeLabApi,
  TrainArgs as AppTrainArgs,
} from '../../src/app/automation';
import type { Recipe } from '../../src/recipe/recipe';
import type {
  BenchOptions,
  BenchReport,
  TrainerEvent,
  TrainReport,
} from '../../src/train/protocol';

export type { RecipeLabApi };

/** The CLI always sends a full, validated recipe. */
export type TrainArgs = AppTrainArgs & { recipe: Recipe };

/** `window` in the app's page, with the globals the CLI relies on. */
export type LabWindow = Window & {
  recipeLab?: RecipeLabApi;
  /** Installed by the CLI before navigation; the app calls it per event. */
  __recipeLabEvent?: (event: TrainerEvent) => void;
};

/** The app's API as the commands use it, on whatever side of a page. */
export interface Lab {
  ensureDemo(): Promise<DatasetManifest>;
  train(args: TrainArgs): Promise<TrainReport>;
  bench(options: BenchOptions): Promise<BenchReport>;
  /** Adds a listener for trainer events; returns a function removing it. */
  onEvent(listener: (event: TrainerEvent) => void): () => void;
}
