// A stored run's weights over the validation set, image by image: the
// network is built as the run built it, its variables are set from the
// stored arrays by state-dict name (checked first), and each validation
// batch, prepared by the eval preset as training's evaluation prepares it
// (eval-batch.ts), is read back as its top-k classes and probabilities.
// With EMA weights the same pass runs again on them.
import * as tf from '@tensorflow/tfjs';
import { readBatches } from '../data/batches';
import type { DatasetManifest } from '../data/schema';
import type { ShardStore } from '../data/shard-store';
import { TOP_K, type Predictions } from '../eval/predictions';
import type { Recipe } from '../recipe/recipe';
import type { Backend } from './backend';
import { checkTensors, type NamedTensor } from './checkpoint';
import { RunError } from './epoch';
import { prepareEvalBatch } from './eval-batch';
import { chooseMicroBatch, passImages } from './loop';
import {
  createModel,
  disposeModel,
  forwardModel,
  type LabModel,
} from './model';
import type {
  EvalResult,
  EvalSource,
  NamedWeights,
  TrainerEvent,
} from './protocol';
import { modelValues } from './trainee';

export interface EvalDeps {
  backend: Backend;
  store: Pick<ShardStore, 'getShard'>;
  /** With the normalisation the run trained with (worker.ts). */
  manifest: DatasetManifest;
  recipe: Recipe;
  runId: string;
  source: EvalSource;
  epochs: number;
  weights: NamedWeights;
  ema: NamedWeights | null;
  emit: (event: TrainerEvent) => void;
}

export const namedTensors = (w: NamedWeights): NamedTensor[] =>
  Object.entries(w).map(([name, { shape, data }]) => ({ name, shape, data }));

/** Sets every variable of `model` from `weights`, or changes none. */
export function assignWeights(
  model: LabModel,
  weights: NamedWeights,
  what: string,
): void {
  const variables = modelValues(model);
  const shapes = new Map([...variables].map(([n, v]) => [n, v.shape]));
  const stored = namedTensors(weights);
  try {
    checkTensors(what, stored, shapes);
  } catch (error) {
    throw new RunError('no-weights', (error as Error).message);
  }
  for (const t of stored) {
    tf.tidy(() => variables.get(t.name)!.assign(tf.tensor(t.data, t.shape)));
  }
}

interface Pass {
  deps: EvalDeps;
  model: LabModel;
  batchSize: number;
  k: number;
  which: 'raw' | 'ema';
}

/** Top-k of every validation image, in store order. */
async function predictAll(p: Pass) {
  const { manifest, recipe, store, backend, emit } = p.deps;
  const total = manifest.splits.val.numImages;
  const topIndices = new Int32Array(total * p.k);
  const topProbs = new Float32Array(total * p.k);
  const labels = new Int32Array(total);
  const indices = new Int32Array(total);
  let done = 0;
  const batches = readBatches(store, manifest, 'val', {
    batchSize: p.batchSize,
    seed: recipe.seed,
    epoch: 1,
    shuffle: false,
  });
  for await (const batch of batches) {
    const { x, labels: y } = prepareEvalBatch(batch, manifest, recipe);
    // Ranked by logits, as training's evaluation ranks them (evalBatch),
    // so that top-1 agrees even where two probabilities round alike.
    const top = tf.tidy(() => {
      const logits = forwardModel(p.model, x, null);
      const { values, indices } = tf.topk(logits, p.k);
      const logSum = tf.logSumExp(logits, 1, true);
      return { values: tf.exp(values.sub(logSum)), indices };
    });
    tf.dispose([x, y]);
    const [probs, classes] = await Promise.all([
      top.values.data<'float32'>(),
      top.indices.data<'int32'>(),
    ]);
    tf.dispose([top.values, top.indices]);
    const fault = backend.fault();
    if (fault) throw new RunError(fault.code, fault.message);
    topProbs.set(probs, done * p.k);
    topIndices.set(classes, done * p.k);
    labels.set(batch.labels, done);
    indices.set(batch.indices ?? [], done);
    done += batch.size;
    emit({ type: 'eval-progress', weights: p.which, done, total });
  }
  const predictions: Predictions = { topIndices, topProbs };
  return { predictions, labels, indices };
}

/** Predicts the validation set with the run's weights and its EMA's. */
export async function runEvaluation(deps: EvalDeps): Promise<EvalResult> {
  const start = performance.now();
  const { manifest, backend } = deps;
  const maxBytes = backend.info.maxStorageBufferBindingSize;
  const { recipe } = chooseMicroBatch(deps.recipe, manifest, maxBytes);
  const numClasses = manifest.classNames.length;
  const model = createModel(
    {
      name: recipe.model,
      numClasses,
      inChannels: manifest.channels,
      widthMultiplier: recipe.width,
    },
    recipe.seed,
  );
  const pass = (which: 'raw' | 'ema') => ({
    deps: { ...deps, recipe },
    model,
    batchSize: passImages(recipe),
    k: Math.min(TOP_K, numClasses),
    which,
  });
  try {
    assignWeights(model, deps.weights, 'weights');
    const raw = await predictAll(pass('raw'));
    let ema: Predictions | null = null;
    if (deps.ema) {
      assignWeights(model, deps.ema, 'EMA weights');
      ema = (await predictAll(pass('ema'))).predictions;
    }
    return {
      runId: deps.runId,
      source: deps.source,
      dataset: manifest.name,
      classNames: manifest.classNames,
      epochs: deps.epochs,
      numClasses,
      k: pass('raw').k,
      labels: raw.labels,
      indices: raw.indices,
      raw: raw.predictions,
      ema,
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    disposeModel(model);
  }
}
