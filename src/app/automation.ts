// The app's automation surface on `window`, for the headless CLI
// (tools/lab) and the browser tests. Every call goes through the same store
// actions as the buttons, so a run started from outside shows on screen as
// if it had been started there. tools/lab/page-api.ts mirrors these types
// on the CLI's side.
import type {
  DecodeReport,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
} from '../data/import/types';
import type { DatasetManifest } from '../data/schema';
import { DEFAULT_RECIPE, type Recipe } from '../recipe/recipe';
import type {
  BenchOptions,
  BenchReport,
  EvalResult,
  EvalSource,
  TrainerEvent,
  TrainReport,
} from '../train/protocol';
import type { EvalStore } from '../ui/eval-store';
import type { ImportForm } from '../ui/import-form';
import type {
  ConvertArgs,
  ConvertResult,
  PredictArgs,
  PredictResult,
} from '../weights/convert';
import {
  downloadWeights,
  withWeightsCache,
  type WeightsEntry,
} from '../weights/cache';
import type { ImportStore } from '../ui/import-store';
import type { LabStore, TrainerPort } from '../ui/store';

export interface TrainArgs {
  dataset: string;
  /** Options missing here take DEFAULT_RECIPE's values, not the demo's. */
  recipe: Partial<Recipe>;
  runId?: string;
}

export interface RecipeLabApi {
  /** Resolves once the app has rendered and takes commands. */
  ready: Promise<void>;
  /** Imports the demo dataset unless it is stored completely already. */
  ensureDemo(): Promise<DatasetManifest>;
  train(args: TrainArgs): Promise<TrainReport>;
  /** Continues a stopped run (an id, or 'last') from its checkpoint. */
  resumeRun(runId: string): Promise<TrainReport>;
  bench(options: BenchOptions): Promise<BenchReport>;
  /** Fills fields of the import form, as typing into them does. */
  setImportForm(fields: Partial<ImportForm>): Promise<void>;
  /**
   * The plan of the source last picked in the import panel (its folder or
   * file input, or a drop): waits for the pick, then for the plan.
   */
  importPlan(): Promise<ImportPlanSummary>;
  /** Imports the picked source, as the Start button does. */
  startImport(): Promise<ImportReport>;
  /** Cancels the import under way, as the Cancel button does. */
  cancelImport(): Promise<void>;
  /** Decodes, crops and resizes the picked source's images; stores none. */
  decodeImport(): Promise<DecodeReport>;
  /** Loads a weight file and writes it in other formats (lab convert). */
  convertWeights(args: ConvertArgs): Promise<ConvertResult>;
  /** Runs a weight file on images (lab predict). */
  predict(args: PredictArgs): Promise<PredictResult>;
  /**
   * Opens the evaluation panel on a run's final weights or checkpoint, as
   * its Evaluate button does; top-1 and top-5 (and the EMA's) once done.
   */
  evaluate(runId: string, source: EvalSource): Promise<EvalFigures>;
  /** Shows a prediction set made elsewhere in the evaluation panel. */
  showPredictions(result: EvalResult): Promise<EvalFigures>;
  /** Caches the file at `url` as the Weights panel does (lab weights). */
  addWeights(args: AddWeightsArgs): Promise<WeightsEntry>;
  /** The weights cache's entries, newest first. */
  listWeights(): Promise<WeightsEntry[]>;
}

export interface AddWeightsArgs {
  /** Where the page fetches the file: a web address or the CLI's server. */
  url: string;
  id: string;
  source: WeightsEntry['source'];
}

export interface EvalFigures {
  numImages: number;
  top1: number;
  top5: number;
  top1Ema: number | null;
  top5Ema: number | null;
}

function evalFigures(evaluation: EvalStore): EvalFigures {
  const { evaluation: e, error } = evaluation.getState();
  if (!e) throw new Error(error ?? 'expected an evaluation, found none');
  return {
    numImages: e.numImages,
    top1: e.raw.top1,
    top5: e.raw.top5,
    top1Ema: e.ema?.top1 ?? null,
    top5Ema: e.ema?.top5 ?? null,
  };
}

// tfjs in the page's own thread is only needed for these two, so it loads
// on the first call rather than with the app.
const weightsModule = () => import('../weights/convert');

/** How long importPlan waits for a pick to reach the store. */
const PICK_TIMEOUT_MS = 30_000;

declare global {
  interface Window {
    /** Defined by src/main.tsx when the app starts. */
    recipeLab?: RecipeLabApi;
    /** Set by a driver (e.g. the CLI); receives every trainer event. */
    __recipeLabEvent?: (event: TrainerEvent) => void;
    /** Set by a driver; receives the import progress the panel shows. */
    __recipeLabImportProgress?: (progress: ImportProgress) => void;
  }
}

/** Resolves once `ready(state)` holds; rejects after `timeoutMs`. */
function waitForState<T>(
  store: { getState(): T; subscribe(listener: (s: T) => void): () => void },
  ready: (state: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  if (ready(store.getState())) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`expected ${what} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const stop = store.subscribe((state) => {
      if (!ready(state)) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

function watchImportProgress(target: Window, imports: ImportStore): void {
  imports.subscribe((state, previous) => {
    if (state.progress === previous.progress || !state.progress) return;
    try {
      target.__recipeLabImportProgress?.(state.progress);
    } catch {
      // A failing observer must not break the import it observes.
    }
  });
}

export function installAutomation(
  target: Window,
  store: LabStore,
  trainer: Pick<TrainerPort, 'subscribe'>,
  imports: ImportStore,
  evaluation: EvalStore,
): { markReady(): void } {
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  trainer.subscribe((event) => {
    // Weights stay in the page: a driver gets the metrics, not megabytes.
    if (event.type === 'weights') return;
    try {
      target.__recipeLabEvent?.(event);
    } catch {
      // A failing observer must not break the run it observes.
    }
  });

  target.recipeLab = {
    ready,
    async ensureDemo() {
      await ready;
      const { dataset, importDemo } = store.getState();
      if (dataset.status === 'ready' && dataset.manifest) {
        return dataset.manifest;
      }
      return importDemo();
    },
    async train({ dataset, recipe, runId }) {
      await ready;
      const given = Object.entries(recipe).filter(([, v]) => v !== undefined);
      const overrides = { ...DEFAULT_RECIPE, ...Object.fromEntries(given) };
      return store.getState().train(overrides, { dataset, runId });
    },
    async resumeRun(runId) {
      await ready;
      return store.getState().resumeRun(runId);
    },
    async bench(options) {
      await ready;
      return store.getState().bench(options);
    },
    async setImportForm(fields) {
      await ready;
      const { setField } = imports.getState();
      for (const [field, value] of Object.entries(fields)) {
        setField(field as keyof ImportForm, value as never);
      }
    },
    async importPlan() {
      await ready;
      await waitForState(
        imports,
        (s) => s.picked !== null,
        PICK_TIMEOUT_MS,
        'a folder or files picked in the import panel',
      );
      return imports.getState().inspect();
    },
    async startImport() {
      await ready;
      return imports.getState().start();
    },
    async cancelImport() {
      imports.getState().cancel();
    },
    async decodeImport() {
      await ready;
      return imports.getState().measureDecode();
    },
    async convertWeights(args) {
      await ready;
      return (await weightsModule()).convertWeights(args);
    },
    async predict(args) {
      await ready;
      return (await weightsModule()).predictImages(args);
    },
    async evaluate(runId, source) {
      await ready;
      await evaluation.getState().open(runId, source);
      return evalFigures(evaluation);
    },
    async showPredictions(result) {
      await ready;
      evaluation.getState().show(result);
      return evalFigures(evaluation);
    },
    async addWeights({ url, id, source }) {
      await ready;
      return withWeightsCache((c) => downloadWeights(c, url, { id, source }));
    },
    async listWeights() {
      await ready;
      return withWeightsCache((c) => c.list());
    },
  };
  watchImportProgress(target, imports);
  return { markReady };
}
