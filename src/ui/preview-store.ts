// The augmentation preview's store: what the page asks to see (the form's
// recipe, the dataset it trains, whether a run holds the GPU), the seed of
// the draw, and the last preview drawn. A change of the training
// transform's options redraws after a short pause, so typing a number
// draws once; options that do not shape the images never redraw. While a
// run trains or benchmarks, the preview's Worker is ended so that the run
// has the GPU alone, and it draws again once the run is over.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Recipe } from '../recipe/recipe';
import {
  trainTransform,
  type TrainTransformRecipe,
} from '../recipe/train-transform';
import { DROPPED_CODES, type PreviewArgs } from '../train/preview/client';
import type { AugmentPreview } from '../train/preview/preview';
import type { ImportStore, ImportStoreState } from './import-store';
import { formRecipe } from './recipe-link';
import { isBusy } from './run-events';
import type { LabState, LabStore } from './store';

export const PREVIEW_IMAGES = 16;
export const PREVIEW_DEBOUNCE_MS = 300;

/** The parts of PreviewClient the store uses; tests pass a fake. */
export interface PreviewPort {
  draw(args: PreviewArgs): Promise<AugmentPreview>;
  release(): void;
}

export interface PreviewDeps {
  previewer: PreviewPort;
  /** Runs `run` after `ms`; returns a function that cancels it. */
  later(run: () => void, ms: number): () => void;
}

/** What the page asks the preview to show. */
export interface PreviewWanted {
  dataset: string;
  /** Whether `dataset` is stored completely. */
  stored: boolean;
  /** The form's recipe; null while a field is bad. */
  recipe: Recipe | null;
  /** Whether a run or a benchmark holds the GPU. */
  training: boolean;
}

export type PreviewStatus =
  'no-dataset' | 'bad-recipe' | 'paused' | 'drawing' | 'ready' | 'failed';

/** What the preview on screen was drawn for. */
export interface DrawnFor {
  dataset: string;
  seed: number;
  transform: TrainTransformRecipe;
  /** The draw's identity: equal keys draw equal pixels. */
  key: string;
}

export interface PreviewState {
  status: PreviewStatus;
  /** The seed of the next draw. */
  seed: number;
  /** The last preview drawn, kept on screen while the next is drawn. */
  preview: AugmentPreview | null;
  drawnFor: DrawnFor | null;
  failure: string | null;
  wanted: PreviewWanted | null;
  want(wanted: PreviewWanted): void;
  /** The next seed, drawn at once. */
  newDraw(): void;
}

export type PreviewStore = StoreApi<PreviewState>;

export function previewKey(
  dataset: string,
  transform: TrainTransformRecipe,
  seed: number,
): string {
  return JSON.stringify({ dataset, seed, ...transform });
}

function isDropped(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (DROPPED_CODES as readonly unknown[]).includes(code);
}

export function createPreviewStore(deps: PreviewDeps): PreviewStore {
  let cancelTimer: (() => void) | null = null;
  /** The key of the newest draw asked for, drawn or not. */
  let askedKey: string | null = null;

  return createStore<PreviewState>()((set, get) => {
    const stop = (status: PreviewStatus) => {
      cancelTimer?.();
      cancelTimer = null;
      askedKey = null;
      set({ status });
    };

    const start = (dataset: string, recipe: Recipe, drawn: DrawnFor) => {
      cancelTimer = null;
      const args = { dataset, recipe, seed: drawn.seed };
      deps.previewer.draw({ ...args, numImages: PREVIEW_IMAGES }).then(
        (preview) => {
          if (askedKey !== drawn.key) return;
          set({ status: 'ready', preview, drawnFor: drawn, failure: null });
        },
        (error: unknown) => {
          if (askedKey !== drawn.key || isDropped(error)) return;
          const failure = error instanceof Error ? error.message : `${error}`;
          set({ status: 'failed', failure });
        },
      );
    };

    const request = (wanted: PreviewWanted, delayMs: number) => {
      set({ wanted });
      if (wanted.training) {
        if (get().status !== 'paused') deps.previewer.release();
        return stop('paused');
      }
      if (!wanted.stored) return stop('no-dataset');
      if (!wanted.recipe) return stop('bad-recipe');
      const { dataset, recipe } = wanted;
      const { seed } = get();
      const transform = trainTransform(recipe);
      const key = previewKey(dataset, transform, seed);
      if (key === askedKey) return;
      cancelTimer?.();
      askedKey = key;
      if (key === get().drawnFor?.key) return set({ status: 'ready' });
      set({ status: 'drawing' });
      const drawn = { dataset, seed, transform, key };
      cancelTimer = deps.later(() => start(dataset, recipe, drawn), delayMs);
    };

    return {
      status: 'no-dataset',
      seed: 1,
      preview: null,
      drawnFor: null,
      failure: null,
      wanted: null,
      want: (wanted) => request(wanted, PREVIEW_DEBOUNCE_MS),
      newDraw() {
        const { wanted, seed } = get();
        set({ seed: seed + 1 });
        if (wanted) request(wanted, 0);
      },
    };
  });
}

/** What the lab's form and the stored datasets ask the preview for. */
export function previewWanted(
  lab: Pick<LabState, 'recipe' | 'draft' | 'trainOn' | 'run'>,
  imports: Pick<ImportStoreState, 'datasets'>,
): PreviewWanted {
  const dataset = lab.trainOn;
  return {
    dataset,
    stored: imports.datasets.some((d) => d.name === dataset && d.complete),
    recipe: formRecipe(lab.recipe, lab.draft),
    training: isBusy(lab.run.status),
  };
}

/** Keeps the preview following both stores; returns the unsubscriber. */
export function connectPreview(
  lab: LabStore,
  imports: ImportStore,
  preview: PreviewStore,
): () => void {
  let last: unknown[] = [];
  const update = () => {
    const l = lab.getState();
    const i = imports.getState();
    // Trainer events and import progress change the stores many times a
    // second; only these parts matter here.
    const busy = isBusy(l.run.status);
    const parts = [l.recipe, l.draft, l.trainOn, busy, i.datasets];
    if (parts.every((p, k) => p === last[k])) return;
    last = parts;
    preview.getState().want(previewWanted(l, i));
  };
  update();
  const unsubscribeLab = lab.subscribe(update);
  const unsubscribeImports = imports.subscribe(update);
  return () => {
    unsubscribeLab();
    unsubscribeImports();
  };
}

export const PreviewStoreContext = createContext<PreviewStore | null>(null);

/** Reads the store from the nearest PreviewStoreContext provider. */
export function usePreview<T>(selector: (state: PreviewState) => T): T {
  const store = useContext(PreviewStoreContext);
  if (!store) {
    throw new Error(
      'usePreview: expected a PreviewStoreContext provider above this ' +
        'component, found none',
    );
  }
  return useStore(store, selector);
}
