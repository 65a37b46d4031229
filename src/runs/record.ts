// A run as the run log keeps it: what was trained, where, how it went
// epoch by epoch, and a thinned loss and LR series. Pure: the functions
// here build and update records; run-db.ts stores them, and the final
// weights apart from them.
import { encodeRecipe } from '../recipe/url';
import type { Recipe } from '../recipe/recipe';
import type {
  BackendInfo,
  EpochMetrics,
  StepProgress,
  TrainerEvent,
  TrainReport,
} from '../train/protocol';

/** What a run continued from its checkpoint had done before. */
export type ResumedRun = Omit<
  Extract<TrainerEvent, { type: 'resumed' }>,
  'type'
>;

export type RunRecordStatus = 'running' | 'finished' | 'stopped' | 'failed';

export interface RunEnvironment {
  backend: string;
  adapter: string;
  tfjsVersion: string;
  kernels: string;
  userAgent: string;
}

export interface RunOutcome {
  normalization: { mean: number[]; std: number[] };
  numTrainImages: number;
  numValImages: number;
  startedFrom: string | null;
}

/** One point of the thinned per-step series. */
export interface StepPoint {
  /** Global step the loss window ended at. */
  step: number;
  loss: number;
  lr: number;
  /** Loss windows averaged into this point (1 until thinned). */
  windows: number;
}

export interface RunRecord {
  runId: string;
  /** Editable; the run id until renamed. */
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
  finishedAt: number | null;
  status: RunRecordStatus;
  dataset: string;
  model: string;
  seed: number;
  /** The normalised recipe the run was started with. */
  recipe: Recipe;
  /** Its canonical query (src/recipe/url.ts), for search and diffs. */
  query: string;
  /** Known once the Worker has its backend. */
  environment: RunEnvironment | null;
  epochs: EpochMetrics[];
  steps: StepPoint[];
  /** Best validation top-1 so far and its epoch; null before epoch 1. */
  bestTop1: number | null;
  bestEpoch: number | null;
  /** Whether the final weights are stored (run-db.ts, store "weights"). */
  hasWeights: boolean;
  /**
   * From the run's report, for the model card of an export: the input
   * normalisation, the images trained and validated on, and the weights
   * file it started from. Null until the run ends, and in records kept
   * before they were recorded (undefined there).
   */
  outcome?: RunOutcome | null;
  /** Why the weights are not stored, when they were sent but refused. */
  weightsNote: string | null;
  /** Why the run failed. */
  error: string | null;
  /**
   * Opened from a run card (card.ts): trained elsewhere, kept without
   * weights. Absent on the lab's own runs.
   */
  shared?: boolean;
}

/**
 * Step points a record keeps. Beyond this, neighbours are merged, so a long
 * run's record stays a few tens of kilobytes and still spans the run
 * evenly.
 */
export const MAX_STEP_POINTS = 500;

export function newRunRecord(options: {
  runId: string;
  dataset: string;
  recipe: Recipe;
  createdAt: number;
}): RunRecord {
  const { runId, dataset, recipe, createdAt } = options;
  return {
    runId,
    name: runId,
    createdAt,
    finishedAt: null,
    status: 'running',
    dataset,
    model: recipe.model,
    seed: recipe.seed,
    recipe,
    query: encodeRecipe(recipe),
    environment: null,
    epochs: [],
    steps: [],
    bestTop1: null,
    bestEpoch: null,
    hasWeights: false,
    outcome: null,
    weightsNote: null,
    error: null,
  };
}

export function environmentOf(
  info: BackendInfo,
  userAgent: string,
): RunEnvironment {
  const { backend, adapter, tfjsVersion, kernels } = info;
  return { backend, adapter, tfjsVersion, kernels, userAgent };
}

/** Two neighbouring points as one: their mean loss, at the later step. */
function mergePoints(a: StepPoint, b: StepPoint): StepPoint {
  const windows = a.windows + b.windows;
  const loss = (a.loss * a.windows + b.loss * b.windows) / windows;
  return { step: b.step, loss, lr: b.lr, windows };
}

/**
 * Appends points, keeping at most `cap`: every point but the last averages
 * the same number of loss windows (a stride that doubles each time the cap
 * is reached), so the series thins evenly over the whole run.
 */
export function thinSteps(
  points: readonly StepPoint[],
  added: readonly StepPoint[],
  cap = MAX_STEP_POINTS,
): StepPoint[] {
  if (cap < 1) throw new RangeError(`cap: expected at least 1, got ${cap}`);
  let all = points.slice();
  // The first point is always a full one.
  let stride = all[0]?.windows ?? 1;
  for (const point of added) {
    const last = all.at(-1);
    if (last && last.windows < stride)
      all[all.length - 1] = mergePoints(last, point);
    else all.push(point);
    if (all.length <= cap) continue;
    const merged: StepPoint[] = [];
    for (let i = 0; i < all.length; i += 2) {
      const b = all[i + 1];
      merged.push(b ? mergePoints(all[i]!, b) : all[i]!);
    }
    all = merged;
    stride *= 2;
  }
  return all;
}

/** Adds the loss windows of step events; non-finite losses are left out. */
export function withSteps(
  record: RunRecord,
  progress: readonly StepProgress[],
): RunRecord {
  const added = progress
    .filter((p) => Number.isFinite(p.loss))
    .map((p) => ({ step: p.globalStep, loss: p.loss, lr: p.lr, windows: 1 }));
  if (added.length === 0) return record;
  return { ...record, steps: thinSteps(record.steps, added) };
}

function best(epochs: readonly EpochMetrics[]) {
  let top = {
    bestTop1: null as number | null,
    bestEpoch: null as number | null,
  };
  for (const e of epochs) {
    if (top.bestTop1 === null || e.valTop1 > top.bestTop1) {
      top = { bestTop1: e.valTop1, bestEpoch: e.epoch };
    }
  }
  return top;
}

/** Records an epoch's metrics; an epoch reported twice is replaced. */
export function withEpoch(record: RunRecord, metrics: EpochMetrics): RunRecord {
  const epochs = record.epochs
    .filter((e) => e.epoch !== metrics.epoch)
    .concat(metrics)
    .sort((a, b) => a.epoch - b.epoch);
  return { ...record, epochs, ...best(epochs) };
}

/** The run's end as its report tells it. */
export function withReport(
  record: RunRecord,
  report: TrainReport,
  finishedAt: number,
): RunRecord {
  return {
    ...record,
    status: report.stopped ? 'stopped' : 'finished',
    finishedAt,
    epochs: report.epochs,
    bestTop1: report.epochs.length > 0 ? report.bestValTop1 : null,
    bestEpoch: report.epochs.length > 0 ? report.bestEpoch : null,
    outcome: {
      normalization: report.normalization,
      numTrainImages: report.numTrainImages,
      numValImages: report.numValImages,
      startedFrom: report.weights?.id ?? null,
    },
  };
}

export function withFailure(
  record: RunRecord,
  message: string,
  finishedAt: number,
): RunRecord {
  return { ...record, status: 'failed', error: message, finishedAt };
}

/**
 * A record still 'running' from an earlier page: the page closed (or
 * crashed) before the run ended, so it never will.
 */
export function closeInterrupted(record: RunRecord, now: number): RunRecord {
  if (record.status !== 'running') return record;
  const message = 'the page closed before the run ended';
  return withFailure(record, message, record.finishedAt ?? now);
}

/**
 * The LR of each loss read of a run resumed without a record: the LR of
 * the epoch it fell in. A checkpoint sits at an epoch's end, so its last
 * read's step over its epochs is the steps per epoch.
 */
function resumedSteps(resumed: ResumedRun): StepPoint[] {
  const { losses, epochs } = resumed;
  const lastStep = losses.at(-1)?.step ?? 0;
  const stepsPerEpoch = lastStep / Math.max(1, epochs.length);
  return losses.map(({ step, loss }) => {
    const epoch = Math.max(1, Math.ceil(step / Math.max(1, stepsPerEpoch)));
    const lr = epochs.find((e) => e.epoch === epoch)?.lr ?? NaN;
    return { step, loss, lr, windows: 1 };
  });
}

/**
 * A run continued from its checkpoint goes on in its own record: running
 * again, with the epochs and loss reads the checkpoint holds. What the
 * record held past the checkpoint (an epoch or steps done before the
 * interruption and done again now) is dropped. Without a record (the log
 * was cleared) a new one starts from the checkpoint.
 */
export function withResumed(
  record: RunRecord | undefined,
  resumed: ResumedRun,
  now: number,
): RunRecord {
  const { runId, dataset, recipe } = resumed;
  const base = record ?? {
    ...newRunRecord({ runId, dataset, recipe, createdAt: now }),
    steps: thinSteps([], resumedSteps(resumed)),
  };
  const lastStep = resumed.losses.at(-1)?.step ?? 0;
  return {
    ...base,
    status: 'running',
    finishedAt: null,
    error: null,
    epochs: resumed.epochs,
    ...best(resumed.epochs),
    steps: base.steps.filter((p) => p.step <= lastStep),
  };
}
