// The automation surface that the built app exposes on `window`, as the CLI
// sees it. The app defines it, and its types, in src/app/automation.ts.
import type {
  DecodeReport,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
} from '../../src/data/import/types';
import type { DatasetManifest } from '../../src/data/schema';
import type { ImportForm } from '../../src/ui/import-form';
import type {
  AddWeightsArgs,
  RecipeLabApi,
  TrainArgs as AppTrainArgs,
} from '../../src/app/automation';
import type { WeightsEntry } from '../../src/weights/cache';
import type { Recipe } from '../../src/recipe/recipe';
import type {
  ConvertArgs,
  ConvertResult,
  PredictArgs,
  PredictResult,
} from '../../src/weights/convert';
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
  /** Installed by the CLI before navigation; import progress. */
  __recipeLabImportProgress?: (progress: ImportProgress) => void;
};

/** The app's API as the commands use it, on whatever side of a page. */
export interface Lab {
  ensureDemo(): Promise<DatasetManifest>;
  train(args: TrainArgs): Promise<TrainReport>;
  /** Continues a stopped run (an id, or 'last') from its checkpoint. */
  resumeRun(runId: string): Promise<TrainReport>;
  bench(options: BenchOptions): Promise<BenchReport>;
  /** Adds a listener for trainer events; returns a function removing it. */
  onEvent(listener: (event: TrainerEvent) => void): () => void;
}

/** The import side of the app's API, as the import commands use it. */
export interface ImportLab {
  setImportForm(fields: Partial<ImportForm>): Promise<void>;
  /**
   * Hands a folder, or files, to the import panel's inputs as a user
   * picking them does; the page reads the files from disk itself.
   */
  pickSource(path: string): Promise<void>;
  importPlan(): Promise<ImportPlanSummary>;
  startImport(): Promise<ImportReport>;
  decodeImport(): Promise<DecodeReport>;
  /** Adds a listener for import progress; returns a function removing it. */
  onImportProgress(listener: (progress: ImportProgress) => void): () => void;
}

/** The weights side of the app's API, as convert and predict use it. */
export interface WeightsLab {
  convertWeights(args: ConvertArgs): Promise<ConvertResult>;
  predict(args: PredictArgs): Promise<PredictResult>;
  addWeights(args: AddWeightsArgs): Promise<WeightsEntry>;
  listWeights(): Promise<WeightsEntry[]>;
}
