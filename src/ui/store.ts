// The app's one store: the demo dataset, the current run, the backend, the
// last error and the recipe form. A framework-free zustand core that the UI
// reads through useLab() and the automation API drives with the very same
// actions, so a run started from the CLI shows on screen like any other.
//
// Trainer events arrive faster than a screen refreshes; they are queued and
// applied in one batch per frame (see run-events.ts for how).
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { DEMO_DATASET_NAME } from '../data/demo-import';
import {
  DatasetFetchError,
  DatasetFormatError,
  StorageError,
} from '../data/errors';
import type { DatasetManifest } from '../data/schema';
import type { Recipe } from '../recipe/recipe';
import { presetRecipe } from '../recipe/presets';
import { RecipeError, resolveRecipe } from '../recipe/validate';
import { TrainerError } from '../train/client';
import type {
  BenchOptions,
  BenchReport,
  TrainerEvent,
  TrainReport,
} from '../train/protocol';
import {
  describeQuota,
  idleDataset,
  startImport,
  withManifest,
  withProgress,
  type DatasetState,
  type ImportProgressEvent,
  type StorageReport,
} from './dataset-state';
import {
  DEMO_RECIPE,
  draftFromRecipe,
  draftValue,
  type DraftField,
  type RecipeDraft,
} from './recipe-draft';
import {
  applyTrainerEvents,
  IDLE_RUN,
  isBusy,
  type AppError,
  type RunState,
  type TrainerSlice,
} from './run-events';
import {
  editDraft,
  lrScalingSuggestion,
  type LrScaleFrom,
} from './recipe-fields';
import { FIRST_VISIT, type PageLink } from './recipe-link';
import { createFollowActions, type FollowActions } from './follow-actions';
import {
  createResumeActions,
  type CheckpointPort,
  type ResumeActions,
  type ResumeState,
} from './resume-actions';
import { createThrottle } from './throttle';

export type { DatasetState, ImportProgressEvent, StorageReport };

export const DEMO_DATASET = DEMO_DATASET_NAME;

/** Import progress reaches the screen at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/** The parts of TrainerClient the store uses; tests pass a fake. */
export interface TrainerPort {
  subscribe(listener: (event: TrainerEvent) => void): () => void;
  train(dataset: string, recipe: Recipe, runId: string): Promise<TrainReport>;
  /** Continues a run from its stored checkpoint. */
  resumeRun(runId: string): Promise<TrainReport>;
  bench(options: BenchOptions): Promise<BenchReport>;
  pause(): void;
  resume(): void;
  stop(): void;
}

/** What this page (not the worker) finds of WebGPU. */
export type WebGpuFound = 'available' | 'missing' | 'no-adapter';
export type WebGpuSupport = 'checking' | WebGpuFound;

export interface LabDeps {
  trainer: TrainerPort;
  importDemo(options: {
    onProgress(progress: ImportProgressEvent): void;
  }): Promise<DatasetManifest>;
  /** What storage holds, for the message after a full disk. */
  inspectStorage(): Promise<StorageReport>;
  probeWebGpu(): Promise<WebGpuFound>;
  /** The stored checkpoints of stopped runs. */
  checkpoints: CheckpointPort;
  /** Calls `run` soon, once; in the browser at the next frame. */
  schedule(run: () => void): void;
  now(): number;
}

export interface LabActions extends ResumeActions, FollowActions {
  /** Looks for WebGPU in the page, for the banner and the backend panel. */
  checkWebGpu(): Promise<void>;
  /** Imports the demo dataset, or resumes it; concurrent calls share one. */
  importDemo(): Promise<DatasetManifest>;
  /** Trains `overrides` on top of the recipe the form started from. */
  train(
    overrides?: Record<string, unknown>,
    options?: { dataset?: string; runId?: string },
  ): Promise<TrainReport>;
  bench(options: BenchOptions): Promise<BenchReport>;
  pause(): void;
  resume(): void;
  stop(): void;
  setDraft(field: DraftField, value: string): void;
  /** Back to the demo recipe, also for the options the form lacks. */
  resetDraft(): void;
  /** The whole form and its base recipe from a named preset. */
  loadPreset(name: string): void;
  /** Sets the LR that the linear scaling rule suggests. */
  acceptLrSuggestion(): void;
  /** The dataset the form's Train button trains. */
  setTrainOn(dataset: string): void;
  dismissLinkNotices(): void;
  setSmoothing(smoothing: number): void;
  dismissError(): void;
}

export interface LabState extends TrainerSlice, ResumeState, LabActions {
  dataset: DatasetState;
  webGpu: WebGpuSupport;
  draft: RecipeDraft;
  /** The recipe the form started from (the page's link, or the demo's). */
  recipe: Recipe;
  /** The batch and LR before the batch size was edited, for the LR rule. */
  lrScaleFrom: LrScaleFrom | null;
  trainOn: string;
  /** What of the page's link could not be used, and what was instead. */
  linkNotices: string[];
  /** Weight of the past in the loss curve's moving average, in [0, 1). */
  smoothing: number;
}

export type LabStore = StoreApi<LabState>;

/** Maps anything thrown by a layer below to what the error box shows. */
export function toAppError(error: unknown): AppError {
  if (error instanceof RecipeError) {
    return { source: 'recipe', code: 'bad-recipe', message: error.message };
  }
  if (error instanceof StorageError) {
    return { source: 'storage', code: error.code, message: error.message };
  }
  if (
    error instanceof DatasetFormatError ||
    error instanceof DatasetFetchError
  ) {
    return { source: 'dataset', code: error.code, message: error.message };
  }
  if (error instanceof TrainerError) {
    return { source: 'trainer', code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { source: 'trainer', code: 'internal', message };
}

function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]|\.\d+Z$/g, '');
  return `run-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

function startedRun(run: Partial<RunState>, now: number): RunState {
  return { ...IDLE_RUN, ...run, status: 'starting', startedAt: now };
}

export function createLabStore(
  deps: LabDeps,
  link: PageLink = FIRST_VISIT,
): LabStore {
  let pending: TrainerEvent[] = [];
  let flushScheduled = false;
  let importing: Promise<DatasetManifest> | null = null;

  return createStore<LabState>()((set, get) => {
    const flush = () => {
      flushScheduled = false;
      if (pending.length === 0) return;
      const events = pending;
      pending = [];
      set((state) => applyTrainerEvents(state, events));
    };

    deps.trainer.subscribe((event) => {
      pending.push(event);
      if (flushScheduled) return;
      flushScheduled = true;
      deps.schedule(flush);
    });

    /** Starts a run or a benchmark, and records how it ends. */
    const launch = async <R>(
      run: Partial<RunState>,
      start: () => Promise<R>,
    ): Promise<R> => {
      const { status } = get().run;
      if (isBusy(status)) {
        throw new TrainerError(
          'busy',
          `expected no run in progress, but one is ${status}`,
        );
      }
      flush();
      set({ run: startedRun(run, deps.now()), error: null });
      try {
        const result = await start();
        flush();
        return result;
      } catch (error) {
        flush();
        // An 'error' event may have reported this failure already.
        if (get().run.status !== 'failed' || !get().error) {
          set((s) => ({
            run: { ...s.run, status: 'failed' },
            error: toAppError(error),
          }));
        }
        throw error;
      }
    };

    const runImport = async (): Promise<DatasetManifest> => {
      const progress = createThrottle<ImportProgressEvent>(
        (p) =>
          set((s) => ({ dataset: withProgress(s.dataset, p, deps.now()) })),
        {
          intervalMs: PROGRESS_INTERVAL_MS,
          now: deps.now,
          schedule: deps.schedule,
        },
      );
      try {
        const manifest = await deps.importDemo({ onProgress: progress.push });
        progress.flush();
        set((s) => ({ dataset: withManifest(s.dataset, manifest) }));
        return manifest;
      } catch (error) {
        progress.flush();
        let appError = toAppError(error);
        if (appError.code === 'quota') {
          const report = await deps.inspectStorage().catch(() => null);
          appError = describeQuota(appError, get().dataset, report);
        }
        set((s) => ({
          dataset: { ...s.dataset, status: 'failed' },
          error: appError,
        }));
        throw error;
      }
    };

    const resumeActions = createResumeActions({
      checkpoints: deps.checkpoints,
      resume: (runId) => deps.trainer.resumeRun(runId),
      get,
      set,
      launch,
    });

    return {
      ...resumeActions,
      ...createFollowActions({ get, set }),
      resumable: [],
      run: IDLE_RUN,
      backend: null,
      error: null,
      dataset: idleDataset(DEMO_DATASET),
      webGpu: 'checking',
      draft: draftFromRecipe(link.recipe),
      recipe: link.recipe,
      lrScaleFrom: null,
      trainOn: link.dataset ?? DEMO_DATASET,
      linkNotices: link.notices,
      smoothing: 0.6,

      async checkWebGpu() {
        const found = await deps.probeWebGpu().catch(() => 'missing' as const);
        set({ webGpu: found });
      },

      importDemo() {
        if (importing) return importing;
        set((s) => ({
          dataset: startImport(s.dataset),
          // A new attempt supersedes the last import error, not a run's.
          error: s.error?.source === 'trainer' ? s.error : null,
        }));
        importing = runImport().finally(() => {
          importing = null;
        });
        return importing;
      },

      async train(overrides = {}, options = {}) {
        let recipe: Recipe;
        try {
          recipe = resolveRecipe({ ...get().recipe, ...overrides });
        } catch (error) {
          set({ error: toAppError(error) });
          throw error;
        }
        const dataset = options.dataset ?? DEMO_DATASET;
        const runId = options.runId ?? newRunId(deps.now());
        return launch({ kind: 'train', runId, dataset, recipe }, () =>
          deps.trainer.train(dataset, recipe, runId),
        );
      },

      async bench(options) {
        return launch({ kind: 'bench', dataset: options.dataset }, () =>
          deps.trainer.bench(options),
        );
      },

      // Another tab's run (run.remote) is that tab's to steer.
      pause() {
        const { run } = get();
        if (run.status === 'running' && !run.remote) deps.trainer.pause();
      },

      resume() {
        const { run } = get();
        if (run.status === 'paused' && !run.remote) deps.trainer.resume();
      },

      stop() {
        flush();
        const { run } = get();
        if (!isBusy(run.status) || run.status === 'stopping' || run.remote)
          return;
        deps.trainer.stop();
        // Shown at once: the worker only answers between two steps, and a
        // step can take many seconds on a slow adapter.
        set({ run: { ...run, status: 'stopping' } });
      },

      setDraft(field, value) {
        set((s) => ({
          draft: editDraft(s.draft, field, value),
          lrScaleFrom: nextLrScaleFrom(s, field),
        }));
      },

      resetDraft() {
        set({
          draft: draftFromRecipe(DEMO_RECIPE),
          recipe: DEMO_RECIPE,
          lrScaleFrom: null,
        });
      },

      loadPreset(name) {
        const recipe = presetRecipe(name);
        set({ draft: draftFromRecipe(recipe), recipe, lrScaleFrom: null });
      },

      acceptLrSuggestion() {
        const { lrScaleFrom, draft } = get();
        const lr = lrScalingSuggestion(lrScaleFrom, draft);
        if (lr === null) return;
        set({ draft: editDraft(draft, 'lr', String(lr)), lrScaleFrom: null });
      },

      setTrainOn(dataset) {
        set({ trainOn: dataset });
      },

      dismissLinkNotices() {
        set({ linkNotices: [] });
      },

      setSmoothing(smoothing) {
        set({ smoothing: Math.min(0.99, Math.max(0, smoothing)) });
      },

      dismissError() {
        set({ error: null });
      },
    };
  });
}

export const LabStoreContext = createContext<LabStore | null>(null);

/** Reads the store from the nearest LabStoreContext provider. */
export function useLab<T>(selector: (state: LabState) => T): T {
  const store = useContext(LabStoreContext);
  if (!store) {
    throw new Error(
      'useLab: expected a LabStoreContext provider above this component, ' +
        'found none',
    );
  }
  return useStore(store, selector);
}

/**
 * The batch and LR the linear scaling rule starts from: kept from the
 * first edit of the batch size until the LR is set, by hand or by the rule.
 */
function nextLrScaleFrom(
  s: Pick<LabState, 'draft' | 'lrScaleFrom'>,
  field: DraftField,
): LrScaleFrom | null {
  if (field === 'lr') return null;
  if (field !== 'batchSize' || s.lrScaleFrom) return s.lrScaleFrom;
  const batchSize = draftValue(s.draft, 'batchSize');
  const lr = draftValue(s.draft, 'lr');
  if (typeof batchSize !== 'number' || typeof lr !== 'number') return null;
  return { batchSize, lr };
}
