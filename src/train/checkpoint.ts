// A run's checkpoint: everything needed to continue it at the next epoch
// as if it had never stopped. Pure data and checks, no tfjs and no
// IndexedDB, so Node tests run them; checkpoint-state.ts moves tensors in
// and out, src/data/checkpoint-store.ts keeps the records.
//
// Tensors are stored by name, never by position or by a network's
// structure: the model's parameters and buffers by state-dict name, the
// optimizer's slots as `name/slot`, the EMA's averages by the model's
// names. Any model whose variables are named can be checkpointed.
//
// No generator state is stored: every random draw of a run comes from a
// stream derived from (seed, purpose, epoch) (lib/random.ts: 'batches',
// 'augment', 'subset'), and the initial weights are overwritten, so the
// epoch number is the whole of the randomness state.
import type { Recipe } from '../recipe/recipe';
import type { EpochMetrics } from './protocol';

/** Bump when the meaning of a stored field changes; older ones are refused. */
export const CHECKPOINT_VERSION = 1;

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What the loop keeps between epochs besides tensors. */
export interface RunProgress {
  /** Epochs finished, in order, with their metrics. */
  epochs: EpochMetrics[];
  /** Optimizer steps taken so far. */
  globalStep: number;
  /** Best validation top-1 of the model and when. */
  best: { top1: number; epoch: number };
  /** Best top-1 of what early stopping watches, and when. */
  watched: { top1: number; epoch: number };
  /** Seconds spent training so far, over every session of the run. */
  wallSeconds: number;
  /** Every loss read (mean over its window), by global step. */
  losses: { step: number; loss: number }[];
}

/** The network a checkpoint belongs to, to refuse loading another. */
export interface ModelKey {
  model: string;
  width: number;
  numClasses: number;
  inChannels: number;
}

export interface RunCheckpoint {
  version: number;
  runId: string;
  dataset: string;
  /** The recipe as requested (before any micro-batch the device chose). */
  recipe: Recipe;
  modelKey: ModelKey;
  /** Last epoch finished and saved; the run continues at the next one. */
  epochsDone: number;
  progress: RunProgress;
  /** Parameters and buffers (BN running statistics) by name. */
  weights: NamedTensor[];
  optimizer: {
    /** `paramName/slot` (e.g. `conv1.weight/momentum`). */
    slots: NamedTensor[];
    /** Per-parameter step counts where the update uses them (Adam's t). */
    numSteps: Record<string, number>;
  };
  ema: { numAveraged: number; values: NamedTensor[] } | null;
  /** ISO time of the write. */
  savedAt: string;
}

/** A checkpoint without its tensors: what lists and the UI show. */
export interface CheckpointSummary {
  runId: string;
  dataset: string;
  model: string;
  epochsDone: number;
  numEpochs: number;
  savedAt: string;
  /** Bytes of tensor data in the checkpoint. */
  bytes: number;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export function tensorBytes(tensors: readonly NamedTensor[]): number {
  return tensors.reduce((sum, t) => sum + t.data.byteLength, 0);
}

export function checkpointBytes(c: RunCheckpoint): number {
  const ema = c.ema ? tensorBytes(c.ema.values) : 0;
  return tensorBytes(c.weights) + tensorBytes(c.optimizer.slots) + ema;
}

export function summarize(c: RunCheckpoint): CheckpointSummary {
  return {
    runId: c.runId,
    dataset: c.dataset,
    model: c.recipe.model,
    epochsDone: c.epochsDone,
    numEpochs: c.recipe.epochs,
    savedAt: c.savedAt,
    bytes: checkpointBytes(c),
  };
}

/** One line for the user: "Run X stopped after epoch 2 of 5". */
export function describeCheckpoint(s: CheckpointSummary): string {
  return (
    `Run ${s.runId} (${s.model} on ${s.dataset}) stopped after epoch ` +
    `${s.epochsDone} of ${s.numEpochs}`
  );
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function size(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * Checks that `stored` holds exactly the tensors `expected` names, with
 * the same shapes, and that each one's data fits its shape.
 */
export function checkTensors(
  what: string,
  stored: readonly NamedTensor[],
  expected: ReadonlyMap<string, readonly number[]>,
): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const t of stored) {
    seen.add(t.name);
    const shape = expected.get(t.name);
    if (!shape) {
      problems.push(`"${t.name}" is not a variable of this model`);
    } else if (shapeText(shape) !== shapeText(t.shape)) {
      problems.push(
        `"${t.name}": expected shape ${shapeText(shape)}, got ` +
          shapeText(t.shape),
      );
    } else if (t.data.length !== size(t.shape)) {
      problems.push(
        `"${t.name}": expected ${size(t.shape)} values for shape ` +
          `${shapeText(t.shape)}, got ${t.data.length}`,
      );
    }
  }
  const missing = [...expected.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0) {
    const listed = missing.slice(0, 3).map((n) => `"${n}"`);
    const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
    problems.push(`missing ${listed.join(', ')}${more}`);
  }
  if (problems.length > 0) {
    throw new CheckpointError(
      `the checkpoint's ${what} do not fit the model: ` +
        problems.slice(0, 5).join('; '),
    );
  }
}

/** Refuses a checkpoint of another format version or another network. */
export function checkCompatible(c: RunCheckpoint, key: ModelKey): void {
  if (c.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `checkpoint of run ${c.runId}: expected format version ` +
        `${CHECKPOINT_VERSION}, got ${String(c.version)}`,
    );
  }
  const fields = ['model', 'width', 'numClasses', 'inChannels'] as const;
  const differ = fields.filter((f) => c.modelKey[f] !== key[f]);
  if (differ.length > 0) {
    const detail = differ
      .map((f) => `${f} ${String(key[f])}, got ${String(c.modelKey[f])}`)
      .join('; ');
    throw new CheckpointError(
      `checkpoint of run ${c.runId} is of another network: expected ${detail}`,
    );
  }
  if (!(c.epochsDone >= 1 && c.epochsDone === c.progress.epochs.length)) {
    throw new CheckpointError(
      `checkpoint of run ${c.runId}: expected one metrics entry per epoch ` +
        `done (${c.epochsDone}), got ${c.progress.epochs.length}`,
    );
  }
}

/**
 * Checks optimizer slots named `param/slot`: each must belong to a
 * parameter of the model and have its shape (every slot of the lab's
 * optimizers does).
 */
export function checkSlots(
  slots: readonly NamedTensor[],
  params: ReadonlyMap<string, readonly number[]>,
): void {
  const expected = new Map<string, readonly number[]>();
  for (const t of slots) {
    const cut = t.name.lastIndexOf('/');
    const shape = cut > 0 ? params.get(t.name.slice(0, cut)) : undefined;
    if (!shape) {
      throw new CheckpointError(
        `the checkpoint's optimizer slots do not fit the model: expected ` +
          `"parameter/slot" names of its parameters, got "${t.name}"`,
      );
    }
    expected.set(t.name, shape);
  }
  checkTensors('optimizer slots', slots, expected);
}

/**
 * Refuses to continue a checkpoint under another recipe: every option
 * shapes the curve, so the resumed run must be the one that was stopped.
 */
export function checkSameRecipe(stored: Recipe, given: Recipe): void {
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(given)])];
  const show = (v: unknown) => JSON.stringify(v) ?? 'nothing';
  const differ = (keys as (keyof Recipe)[])
    .filter((k) => show(stored[k]) !== show(given[k]))
    .map((k) => `${k} ${show(stored[k])}, got ${show(given[k])}`);
  if (differ.length > 0) {
    throw new CheckpointError(
      'the checkpoint was written by another recipe: expected ' +
        differ.slice(0, 4).join('; '),
    );
  }
}

/** The error a run ends with after a fault, once a checkpoint holds it. */
export function resumableMessage(
  message: string,
  runId: string,
  epochsDone: number,
  numEpochs: number,
): string {
  return (
    `${message}. Run ${runId} was checkpointed after epoch ${epochsDone} ` +
    `of ${numEpochs} and can be resumed from there`
  );
}
