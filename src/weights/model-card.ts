// The model card written beside exported weights: what the network is, the
// classes its outputs stand for, the input it expects, and how it was made
// (recipe, dataset, seed, backend, metrics, date). JSON, versioned.
import type { ModelName, Recipe } from '../recipe/recipe';
import type { ModelConfig } from '../train/model';
import type { Normalization } from './sources';

export interface ModelCard {
  format: 'recipe-lab-model-card';
  version: 1;
  model: { name: ModelName; width: number; numClasses: number };
  weights: {
    /**
     * The files beside the card: `model.safetensors` in torchvision's
     * state_dict names and layouts ([out, in, kh, kw]), `model.json` and
     * `weights.bin` as a tfjs Layers model.
     */
    files: string[];
    /** The weights it started from, e.g. `timm/resnet50.a1_in1k`. */
    startedFrom: string | null;
  };
  /** Class names by output index. */
  classes: string[];
  input: {
    size: number;
    channels: number;
    /** Applied to [0, 1] pixel values, per channel. */
    normalization: Normalization;
  };
  recipe: Recipe | null;
  dataset: { name: string; numTrain: number; numVal: number } | null;
  seed: number | null;
  metrics: { bestValTop1: number; bestEpoch: number } | null;
  backend: { name: string; adapter: string; tfjsVersion: string } | null;
  /** ISO 8601, UTC. */
  date: string;
}

export interface ModelCardArgs {
  config: ModelConfig;
  weightsFiles: string[];
  classes: string[];
  inputSize: number;
  normalization: Normalization;
  startedFrom?: string | null;
  recipe?: Recipe | null;
  dataset?: ModelCard['dataset'];
  metrics?: ModelCard['metrics'];
  backend?: ModelCard['backend'];
  date: Date;
}

export function buildModelCard(args: ModelCardArgs): ModelCard {
  const { config, classes, normalization } = args;
  if (classes.length !== config.numClasses) {
    throw new Error(
      `expected ${config.numClasses} class names, one per output, got ` +
        classes.length,
    );
  }
  const channels = config.inChannels;
  if (
    normalization.mean.length !== channels ||
    normalization.std.length !== channels
  ) {
    throw new Error(
      `expected a mean and std per input channel (${channels}), got ` +
        `${normalization.mean.length} and ${normalization.std.length}`,
    );
  }
  return {
    format: 'recipe-lab-model-card',
    version: 1,
    model: {
      name: config.name,
      width: config.widthMultiplier,
      numClasses: config.numClasses,
    },
    weights: {
      files: [...args.weightsFiles],
      startedFrom: args.startedFrom ?? null,
    },
    classes: [...classes],
    input: { size: args.inputSize, channels, normalization },
    recipe: args.recipe ?? null,
    dataset: args.dataset ?? null,
    seed: args.recipe?.seed ?? null,
    metrics: args.metrics ?? null,
    backend: args.backend ?? null,
    date: args.date.toISOString(),
  };
}
