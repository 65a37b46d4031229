// What a run trains: the network, its optimizer over the reference's
// weight-decay groups, the loss settings and, with `--model-ema`, the
// average of its weights. Built from the recipe in one place so that the
// loop and the bench train the same thing.
import type * as tf from '@tensorflow/tfjs';
import type { DatasetManifest } from '../data/schema';
import type { Recipe } from '../recipe/recipe';
import { effectiveEmaDecay, ExponentialMovingAverage } from './ema';
import { AdamW, REFERENCE_ADAMW } from './optim/adam';
import type { Optimizer } from './optim/optimizer';
import { createModel, disposeModel, type LabModel } from './model';
import {
  modelNamedParams,
  setWeightDecay,
  type NamedParamGroup,
} from './optim/param-groups';
import { REFERENCE_RMSPROP, Rmsprop } from './optim/rmsprop';
import { Sgd } from './optim/sgd';
import type { Trainee } from './step';

/**
 * The optimizer train.py builds for `--opt`. SGD keeps the lab's fused
 * update kernel (optim/sgd.ts). Slots are keyed by variable name, but a
 * change of the trainable set still needs a new optimizer: the groups are
 * fixed at construction.
 */
export function buildOptimizer(
  groups: NamedParamGroup[],
  recipe: Pick<Recipe, 'opt' | 'momentum'>,
): Optimizer {
  switch (recipe.opt) {
    case 'sgd':
    case 'sgd-nesterov':
      return new Sgd(groups, {
        momentum: recipe.momentum,
        nesterov: recipe.opt === 'sgd-nesterov',
        dampening: 0,
      });
    case 'rmsprop':
      return new Rmsprop(groups, {
        ...REFERENCE_RMSPROP,
        momentum: recipe.momentum,
      });
    case 'adamw':
      return new AdamW(groups, REFERENCE_ADAMW);
  }
}

/** Parameters and BN buffers by state-dict name: what the EMA averages. */
export function modelValues(model: LabModel): Map<string, tf.Variable> {
  return new Map([...model.params, ...model.buffers]);
}

/** A view of `model` whose weights and buffers are the EMA's averages. */
export function emaModel(
  model: LabModel,
  ema: ExponentialMovingAverage,
): LabModel {
  const pick = (name: string) => {
    const v = ema.values.get(name);
    if (!v) throw new Error(`EMA has no average for "${name}" yet`);
    return v;
  };
  const params = new Map([...model.params.keys()].map((k) => [k, pick(k)]));
  const buffers = new Map([...model.buffers.keys()].map((k) => [k, pick(k)]));
  return { ...model, params, buffers };
}

/**
 * The EMA's share of each step of epoch `epoch` (from 1), as a pass's
 * onStep hook (`step` counts from 1). train.py updates after the optimizer
 * step when the step's index in the epoch, from 0, is a multiple of
 * modelEmaSteps, and resets while the epoch, from 0, is a warmup epoch.
 */
export function emaStepHook(
  ema: ExponentialMovingAverage,
  model: LabModel,
  epoch: number,
  recipe: Pick<Recipe, 'modelEmaSteps' | 'lrWarmupEpochs'>,
): (step: number) => void {
  const values = modelValues(model);
  return (step) =>
    ema.afterStep(values, { epoch: epoch - 1, stepInEpoch: step - 1 }, recipe);
}

export interface TraineeSetup {
  trainee: Trainee;
  /** The weight-decay groups the optimizer was built over. */
  groups: NamedParamGroup[];
  /** Present with `modelEma`; its decay is the adjusted one. */
  ema: ExponentialMovingAverage | null;
  dispose: () => void;
}

export function createTrainee(
  recipe: Recipe,
  manifest: DatasetManifest,
): TraineeSetup {
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
  const params = model.graph.params.map((p) => model.params.get(p.name)!);
  const groups = setWeightDecay(modelNamedParams(model), recipe);
  const optimizer = buildOptimizer(groups, recipe);
  const ema = recipe.modelEma
    ? new ExponentialMovingAverage(effectiveEmaDecay(recipe))
    : null;
  const trainee: Trainee = {
    model,
    params,
    optimizer,
    numClasses,
    labelSmoothing: recipe.labelSmoothing,
    microBatchSize: recipe.microBatchSize,
  };
  const dispose = () => {
    ema?.dispose();
    optimizer.dispose();
    disposeModel(model);
  };
  return { trainee, groups, ema, dispose };
}
