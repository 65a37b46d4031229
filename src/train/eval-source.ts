// Where an evaluation's weights come from: a finished run's final weights
// (and its EMA's) in the run log, or an unfinished run's checkpoint. Either
// way, with the dataset and recipe the run trained with.
import { openCheckpointStore } from '../data/checkpoint-store';
import type { Recipe } from '../recipe/recipe';
import { openRunDb } from '../runs/run-db';
import type { NamedTensor, RunCheckpoint } from './checkpoint';
import { RunError } from './epoch';
import type { EvalSource, NamedWeights } from './protocol';

export interface EvalInputs {
  dataset: string;
  recipe: Recipe;
  weights: NamedWeights;
  ema: NamedWeights | null;
  /** Epochs the weights were trained for. */
  epochs: number;
}

const named = (tensors: readonly NamedTensor[]): NamedWeights =>
  Object.fromEntries(
    tensors.map((t) => [t.name, { shape: t.shape, data: t.data }]),
  );

/** A checkpoint's weights and EMA averages as an evaluation takes them. */
export function checkpointWeights(
  checkpoint: Pick<RunCheckpoint, 'weights' | 'ema'>,
): Pick<EvalInputs, 'weights' | 'ema'> {
  const ema = checkpoint.ema?.values.length ? checkpoint.ema.values : null;
  return { weights: named(checkpoint.weights), ema: ema && named(ema) };
}

async function fromRunLog(runId: string): Promise<EvalInputs> {
  const db = await openRunDb();
  try {
    const record = await db.get(runId);
    if (!record) {
      throw new RunError(
        'no-weights',
        `expected run "${runId}" in the run log, found none`,
      );
    }
    const stored = await db.getStoredWeights(runId);
    if (!stored) {
      throw new RunError(
        'no-weights',
        `expected the final weights of run "${runId}", found none (a run ` +
          'keeps them once its last epoch is done)',
      );
    }
    return {
      dataset: record.dataset,
      recipe: record.recipe,
      weights: stored.weights,
      ema: stored.ema ?? null,
      epochs: record.epochs.length,
    };
  } finally {
    db.close();
  }
}

async function fromCheckpoint(runId: string): Promise<EvalInputs> {
  const store = await openCheckpointStore();
  try {
    const checkpoint = await store.get(runId);
    if (!checkpoint) {
      throw new RunError(
        'no-checkpoint',
        `expected a checkpoint of run "${runId}", found none (a run ` +
          'deletes its checkpoint when it finishes)',
      );
    }
    return {
      dataset: checkpoint.dataset,
      recipe: checkpoint.recipe,
      ...checkpointWeights(checkpoint),
      epochs: checkpoint.epochsDone,
    };
  } finally {
    store.close();
  }
}

/** The run's weights from `source`, or a RunError saying none are kept. */
export function readEvalInputs(
  runId: string,
  source: EvalSource,
): Promise<EvalInputs> {
  if (source === 'final') return fromRunLog(runId);
  if (source === 'checkpoint') return fromCheckpoint(runId);
  throw new RunError(
    'bad-recipe',
    `source: expected "final" or "checkpoint", got ${JSON.stringify(source)}`,
  );
}
