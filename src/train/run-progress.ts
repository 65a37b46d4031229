// Where a run stands between epochs: its progress, fresh or resumed from
// its checkpoint, folded epoch by epoch, and written as the checkpoint at
// the end of an epoch.
import type { DatasetManifest } from '../data/schema';
import type { Recipe } from '../recipe/recipe';
import {
  checkCompatible,
  checkSameRecipe,
  CHECKPOINT_VERSION,
  resumableMessage,
  CheckpointError,
  checkpointBytes,
  type ModelKey,
  type RunCheckpoint,
  type RunProgress,
} from './checkpoint';
import { captureState, restoreState } from './checkpoint-state';
import { RunError } from './epoch';
import type { CheckpointInfo, EpochMetrics, TrainerEvent } from './protocol';
import type { TraineeSetup } from './trainee';

/** Where the loop keeps checkpoints (checkpoint-store.ts in the Worker). */
export interface CheckpointSink {
  put(checkpoint: RunCheckpoint): Promise<void>;
  delete(runId: string): Promise<void>;
}

export function modelKey(recipe: Recipe, manifest: DatasetManifest): ModelKey {
  return {
    model: recipe.model,
    width: recipe.width,
    numClasses: manifest.classNames.length,
    inChannels: manifest.channels,
  };
}

export function freshProgress(): RunProgress {
  return {
    epochs: [],
    globalStep: 0,
    best: { top1: -1, epoch: 0 },
    watched: { top1: -1, epoch: 0 },
    wallSeconds: 0,
    losses: [],
  };
}

/**
 * Loads `from` into a freshly built run of `recipe` (as requested); its
 * progress, or an error saying what does not fit.
 */
export function resumeProgress(
  setup: TraineeSetup,
  from: RunCheckpoint,
  recipe: Recipe,
  key: ModelKey,
): RunProgress {
  try {
    checkCompatible(from, key);
    checkSameRecipe(from.recipe, recipe);
    restoreState(setup, from);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code =
      error instanceof CheckpointError ? 'no-checkpoint' : 'internal';
    throw new RunError(code, `cannot resume run ${from.runId}: ${message}`);
  }
  return structuredClone(from.progress);
}

export interface SaveArgs {
  sink: CheckpointSink;
  setup: TraineeSetup;
  runId: string;
  dataset: string;
  /** The recipe as requested, which a resume starts from again. */
  recipe: Recipe;
  key: ModelKey;
  progress: RunProgress;
}

/** Writes the checkpoint of the epoch just finished; what it cost. */
export async function saveCheckpoint(a: SaveArgs): Promise<CheckpointInfo> {
  const readStart = performance.now();
  const state = await captureState(a.setup);
  const writeStart = performance.now();
  const epoch = a.progress.epochs.length;
  const checkpoint: RunCheckpoint = {
    version: CHECKPOINT_VERSION,
    runId: a.runId,
    dataset: a.dataset,
    recipe: a.recipe,
    modelKey: a.key,
    epochsDone: epoch,
    progress: structuredClone(a.progress),
    ...state,
    savedAt: new Date().toISOString(),
  };
  await a.sink.put(checkpoint);
  const end = performance.now();
  return {
    runId: a.runId,
    epoch,
    numEpochs: a.recipe.epochs,
    bytes: checkpointBytes(checkpoint),
    readSeconds: (writeStart - readStart) / 1000,
    writeSeconds: (end - writeStart) / 1000,
  };
}

/** The top-1 early stopping watches: the model's or, on 'ema', the EMA's. */
function watchedTop1(recipe: Recipe, m: EpochMetrics): number {
  return recipe.patienceOn === 'ema' && m.valTop1Ema !== undefined
    ? m.valTop1Ema
    : m.valTop1;
}

/** Folds an epoch's metrics into the progress; whether to stop early. */
export function recordEpoch(
  p: RunProgress,
  recipe: Recipe,
  metrics: EpochMetrics,
): boolean {
  const { epoch } = metrics;
  p.epochs.push(metrics);
  if (metrics.valTop1 > p.best.top1) p.best = { top1: metrics.valTop1, epoch };
  const top1 = watchedTop1(recipe, metrics);
  if (top1 > p.watched.top1) p.watched = { top1, epoch };
  return recipe.patience > 0 && epoch - p.watched.epoch >= recipe.patience;
}

export interface StartArgs {
  setup: TraineeSetup;
  /** The checkpoint to continue from; a fresh start when absent. */
  from: RunCheckpoint | undefined;
  /** The recipe as requested, and as run (micro-batch chosen). */
  asked: Recipe;
  recipe: Recipe;
  manifest: DatasetManifest;
  runId: string;
  emit: (event: TrainerEvent) => void;
}

/** Where the run stands, resumed from its checkpoint or fresh. */
export function startProgress(a: StartArgs): RunProgress {
  if (!a.from) return freshProgress();
  const key = modelKey(a.recipe, a.manifest);
  const progress = resumeProgress(a.setup, a.from, a.asked, key);
  a.emit({
    type: 'resumed',
    runId: a.runId,
    dataset: a.manifest.name,
    recipe: a.from.recipe,
    epochs: progress.epochs,
    losses: progress.losses,
  });
  return progress;
}

/**
 * The error a run ends with after a fault (a lost device, a failed read)
 * once epoch `saved` is checkpointed: the same code, and where to resume.
 */
export function resumableError(
  error: unknown,
  runId: string,
  saved: number,
  recipe: Recipe,
): RunError {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof RunError ? error.code : 'internal';
  const text = resumableMessage(message, runId, saved, recipe.epochs);
  return new RunError(code, text);
}
