// The recipe as data: one commented defaults object lists every option the
// training loop understands. Option names follow the flags of torchvision's
// `references/classification/train.py` where one exists (camelCased here).
// The defaults are the study's baseline: SGD with Nesterov momentum,
// LR 0.01, batch 32, cross-entropy.

export const MODEL_NAMES = ['resnet18', 'resnet34', 'resnet50'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const OPTIMIZERS = ['sgd', 'sgd-nesterov'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface Recipe {
  /** Network architecture (torchvision name). */
  model: ModelName;
  /** Multiplies every layer's width; 1 is the published network. */
  width: number;
  /** Side of the square input image in pixels. */
  imageSize: number;
  /** Optimizer: plain SGD or SGD with Nesterov momentum. */
  opt: OptimizerName;
  /** Learning rate. */
  lr: number;
  /** Momentum of SGD. */
  momentum: number;
  /** Images per optimizer step. */
  batchSize: number;
  /** Passes over the training split. */
  epochs: number;
  /** Stop after this many epochs without a better validation top-1; 0: never. */
  patience: number;
  /** Seeds initialisation, shuffling and subsets. */
  seed: number;
  /** Train on a seeded, class-balanced subset of this many images; 0: all. */
  limit: number;
}

export const DEFAULT_RECIPE: Readonly<Recipe> = Object.freeze({
  model: 'resnet18',
  width: 1,
  imageSize: 28,
  opt: 'sgd-nesterov',
  lr: 0.01,
  momentum: 0.9,
  batchSize: 32,
  epochs: 3,
  patience: 0,
  seed: 1,
  limit: 0,
});
