// The automation surface that the built app exposes on `window`, as the CLI
// sees it. The app defines it in src/app/automation.ts; the types are kept
// here as a plain interface rather than a `declare global`, because both
// files are compiled as one program and two global declarations of the
// same property must agree to the letter or the type check fails.
import type { DatasetManifest } from '../../src/data/schema';
import type { Recipe } from '../../src/recipe/recipe';
import type {
  BenchOptions,
  BenchReport,
  TrainerEvent,
  TrainReport,
} from '../../src/train/protocol';

export interface TrainArgs {
  dataset: string;
  recipe: Recipe;
  runId?: string;
}

export interface RecipeLabApi {
  /** Settles once the app has started and can take commands. */
  ready: Promise<void>;
  /** Imports the embedded Fashion-MNIST demo set if it is not stored yet. */
  ensureDemo(): Promise<DatasetManifest>;
  train(args: TrainArgs): Promise<TrainReport>;
  bench(options: BenchOptions): Promise<BenchReport>;
}

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
