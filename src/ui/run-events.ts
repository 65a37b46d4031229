// How trainer events change what the app knows about a run. Pure functions
// of (state, events): no React, no store, no DOM, so Node tests drive them
// with hand-written event streams. The store batches events and applies
// them here once per animation frame.
import type { Recipe } from '../recipe/recipe';
import type {
  BackendInfo,
  BenchReport,
  CheckpointInfo,
  EpochMetrics,
  StepProgress,
  TrainerEvent,
  TrainerState,
  TrainReport,
} from '../train/protocol';

export type RunStatus = 'idle' | TrainerState;

export interface LossPoint {
  /** Global step the loss window ended at. */
  step: number;
  loss: number;
}

/** The LR and the speed of one loss read's window, for the step charts. */
export interface StepRatePoint {
  /** Global step the window ended at. */
  step: number;
  lr: number;
  imagesPerSecond: number;
}

export interface RunState {
  kind: 'train' | 'bench' | null;
  runId: string | null;
  dataset: string | null;
  recipe: Recipe | null;
  status: RunStatus;
  phase: 'train' | 'eval' | null;
  /** The epoch under way, from 1; known before its first step reports. */
  epoch: number | null;
  progress: StepProgress | null;
  losses: LossPoint[];
  /** Per loss read, thinned as `losses` is; a resumed run's start lacks it. */
  rates: StepRatePoint[];
  epochs: EpochMetrics[];
  report: TrainReport | null;
  benchReport: BenchReport | null;
  /** What the run decided and told, e.g. the micro-batch it chose. */
  notices: string[];
  /** Wall-clock start in ms, for the elapsed time. */
  startedAt: number | null;
  /** The last checkpoint written, which a resume would continue from. */
  checkpoint: CheckpointInfo | null;
  /**
   * Trained by another tab of the lab and shown here from the events it
   * relays (src/app/tab-relay.ts); this tab can only watch it.
   */
  remote: boolean;
}

/** An error the UI shows, from any layer, with the code it acts on. */
export interface AppError {
  source: 'trainer' | 'storage' | 'dataset' | 'recipe';
  code: string;
  message: string;
  /** Storage use when a write was refused, if the browser tells it. */
  storage?: { usageBytes: number; quotaBytes: number };
  /** Bytes the rest of an interrupted import would still take, estimated. */
  neededBytes?: number;
}

/** The part of the app state that trainer events touch. */
export interface TrainerSlice {
  run: RunState;
  backend: BackendInfo | null;
  error: AppError | null;
}

/**
 * Raw loss points kept per run. A long run emits more than any chart can
 * draw; beyond this, neighbours are merged so memory stays bounded while the
 * whole run remains visible.
 */
export const MAX_LOSS_POINTS = 20_000;

export const IDLE_RUN: RunState = Object.freeze({
  kind: null,
  runId: null,
  dataset: null,
  recipe: null,
  status: 'idle',
  phase: null,
  epoch: null,
  progress: null,
  losses: [],
  rates: [],
  epochs: [],
  report: null,
  benchReport: null,
  notices: [],
  startedAt: null,
  checkpoint: null,
  remote: false,
});

const BUSY: readonly RunStatus[] = [
  'starting',
  'running',
  'paused',
  'stopping',
];

export function isBusy(status: RunStatus): boolean {
  return BUSY.includes(status);
}

/** Whether another tab trains a run that this one follows. */
export function isTrainingElsewhere(run: RunState): boolean {
  return run.remote && isBusy(run.status);
}

/** Appends, then merges neighbouring pairs until the list fits the cap. */
function appendThinned<T>(
  points: readonly T[],
  added: readonly T[],
  cap: number,
  merge: (a: T, b: T) => T,
): T[] {
  let all = points.concat(added);
  while (all.length > cap) {
    const merged: T[] = [];
    for (let i = 0; i < all.length; i += 2) {
      const a = all[i]!;
      const b = all[i + 1];
      merged.push(b ? merge(a, b) : a);
    }
    all = merged;
  }
  return all;
}

/** A merged pair sits at the later step and averages the loss. */
export function appendLossPoints(
  points: readonly LossPoint[],
  added: readonly LossPoint[],
  cap = MAX_LOSS_POINTS,
): LossPoint[] {
  return appendThinned(points, added, cap, (a, b) => ({
    step: b.step,
    loss: (a.loss + b.loss) / 2,
  }));
}

/** Thinned as the losses are: the later step, the mean of each value. */
export function appendRatePoints(
  points: readonly StepRatePoint[],
  added: readonly StepRatePoint[],
  cap = MAX_LOSS_POINTS,
): StepRatePoint[] {
  return appendThinned(points, added, cap, (a, b) => ({
    step: b.step,
    lr: (a.lr + b.lr) / 2,
    imagesPerSecond: (a.imagesPerSecond + b.imagesPerSecond) / 2,
  }));
}

/** Replaces the metrics of an epoch reported twice, else appends. */
function upsertEpoch(
  epochs: readonly EpochMetrics[],
  metrics: EpochMetrics,
): EpochMetrics[] {
  const rest = epochs.filter((e) => e.epoch !== metrics.epoch);
  return [...rest, metrics].sort((a, b) => a.epoch - b.epoch);
}

function withRun(state: TrainerSlice, run: Partial<RunState>): TrainerSlice {
  return { ...state, run: { ...state.run, ...run } };
}

/**
 * Applies one event. Step events do not add loss points here: see
 * applyTrainerEvents, which appends a whole batch of them at once.
 */
function applyOne(state: TrainerSlice, event: TrainerEvent): TrainerSlice {
  switch (event.type) {
    case 'backend':
      return { ...state, backend: event.info };
    case 'state':
      return withRun(state, { status: event.state });
    case 'phase':
      return withRun(state, { phase: event.phase, epoch: event.epoch });
    case 'step':
      return withRun(state, {
        progress: event.progress,
        phase: 'train',
        epoch: event.progress.epoch,
      });
    case 'epoch':
      return withRun(state, {
        epochs: upsertEpoch(state.run.epochs, event.metrics),
      });
    case 'done':
      return withRun(state, {
        report: event.report,
        epochs: event.report.epochs,
        status: 'finished',
        phase: null,
      });
    case 'weights':
      // Kept by the run log (src/ui/runs-store.ts), not in the app state.
      return state;
    case 'eval-progress':
    case 'eval-done':
      // An evaluation's own client reports to the evaluation store.
      return state;
    case 'checkpoint':
      return withRun(state, { checkpoint: event.checkpoint });
    case 'resumed':
      return withRun(state, {
        runId: event.runId,
        dataset: event.dataset,
        recipe: event.recipe,
        epochs: event.epochs,
        losses: appendLossPoints([], event.losses),
        rates: [],
      });
    case 'notice':
      return withRun(state, { notices: [...state.run.notices, event.message] });
    case 'bench-done':
      return withRun(state, {
        benchReport: event.report,
        status: 'finished',
        phase: null,
      });
    case 'error':
      return {
        ...withRun(state, { status: 'failed', phase: null }),
        error: { source: 'trainer', ...event.error },
      };
  }
}

/**
 * Applies a batch of events in order; the loss and rate lists are copied
 * once per batch, and only when it adds to them.
 */
export function applyTrainerEvents(
  state: TrainerSlice,
  events: readonly TrainerEvent[],
): TrainerSlice {
  const losses: LossPoint[] = [];
  const rates: StepRatePoint[] = [];
  let next = state;
  for (const event of events) {
    next = applyOne(next, event);
    if (event.type !== 'step') continue;
    const { globalStep: step, loss, lr, imagesPerSecond } = event.progress;
    if (Number.isFinite(loss)) losses.push({ step, loss });
    if (Number.isFinite(lr) && Number.isFinite(imagesPerSecond)) {
      rates.push({ step, lr, imagesPerSecond });
    }
  }
  const run: Partial<RunState> = {};
  if (losses.length > 0) {
    run.losses = appendLossPoints(next.run.losses, losses);
  }
  if (rates.length > 0) run.rates = appendRatePoints(next.run.rates, rates);
  return losses.length + rates.length > 0 ? withRun(next, run) : next;
}

export function applyTrainerEvent(
  state: TrainerSlice,
  event: TrainerEvent,
): TrainerSlice {
  return applyTrainerEvents(state, [event]);
}
