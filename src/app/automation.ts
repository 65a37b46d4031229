// The app's automation surface on `window`, for the headless CLI
// (tools/lab) and the browser tests. Every call goes through the same store
// actions as the buttons, so a run started from outside shows on screen as
// if it had been started there. tools/lab/page-api.ts mirrors these types
// on the CLI's side.
import type { DatasetManifest } from '../data/schema';
import { DEFAULT_RECIPE, type Recipe } from '../recipe/recipe';
import type {
  BenchOptions,
  BenchReport,
  TrainerEvent,
  TrainReport,
} from '../train/protocol';
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
  bench(options: BenchOptions): Promise<BenchReport>;
}

declare global {
  interface Window {
    /** Defined by src/main.tsx when the app starts. */
    recipeLab?: RecipeLabApi;
    /** Set by a driver (e.g. the CLI); receives every trainer event. */
    __recipeLabEvent?: (event: TrainerEvent) => void;
  }
}

export function installAutomation(
  target: Window,
  store: LabStore,
  trainer: Pick<TrainerPort, 'subscribe'>,
): { markReady(): void } {
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  trainer.subscribe((event) => {
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
    async bench(options) {
      await ready;
      return store.getState().bench(options);
    },
  };
  return { markReady };
}
