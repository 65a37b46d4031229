// The networks a recipe can name, behind one set of functions, so that the
// trainee, the loop, the bench and evaluation never ask which family they
// hold. Each family keeps torchvision's state-dict names and the common
// variable layout of state-dict.ts.
import type * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../recipe/recipe';
import {
  createMobileNet,
  describeMobileNet,
  disposeMobileNet,
  forwardMobileNet,
  largestActivation,
  updateMobileNetRunningStats,
  type MobileNetGraph,
  type MobileNetName,
  type MobileNetState,
} from './mobilenet';
import type { BatchStats } from './ops/batch-norm';
import {
  createResNet,
  describeResNet,
  disposeResNet,
  forwardResNet,
  updateRunningStats,
  type ResNetGraph,
  type ResNetName,
  type ResNetState,
} from './resnet';

export type LabModel = ResNetState | MobileNetState;
export type ModelGraph = ResNetGraph | MobileNetGraph;

export interface ModelConfig {
  name: ModelName;
  numClasses: number;
  /** Image channels at the input: 3 for RGB, 1 for grayscale. */
  inChannels: number;
  /** Scales every layer's width (torchvision's `width_mult`). */
  widthMultiplier: number;
}

type Family = 'resnet' | 'mobilenet';

const FAMILIES: Record<ModelName, Family> = {
  resnet18: 'resnet',
  resnet34: 'resnet',
  resnet50: 'resnet',
  mobilenet_v3_large: 'mobilenet',
};

function familyOf(name: string): Family {
  const family = FAMILIES[name as ModelName];
  if (!family) {
    const names = Object.keys(FAMILIES).join(', ');
    throw new Error(`unknown model "${name}": expected one of ${names}`);
  }
  return family;
}

const asResNet = (c: ModelConfig) => ({ ...c, name: c.name as ResNetName });
const asMobileNet = (c: ModelConfig) => ({
  ...c,
  name: c.name as MobileNetName,
});

export function isMobileNet(model: LabModel): model is MobileNetState {
  return familyOf(model.graph.config.name) === 'mobilenet';
}

/** Lays out the network and lists every parameter with its shape. */
export function describeModel(config: ModelConfig): ModelGraph {
  return familyOf(config.name) === 'mobilenet'
    ? describeMobileNet(asMobileNet(config))
    : describeResNet(asResNet(config));
}

/** The variables of a new network, initialised as torchvision does. */
export function createModel(config: ModelConfig, seed: number): LabModel {
  return familyOf(config.name) === 'mobilenet'
    ? createMobileNet(asMobileNet(config), seed)
    : createResNet(asResNet(config), seed);
}

export function disposeModel(model: LabModel): void {
  if (isMobileNet(model)) disposeMobileNet(model);
  else disposeResNet(model);
}

/**
 * Logits of an NHWC batch. With `stats` the pass is in training mode (BN
 * by batch statistics, recorded into `stats`; dropout where the network
 * has it).
 */
export function forwardModel(
  model: LabModel,
  x: tf.Tensor4D,
  stats: BatchStats | null,
): tf.Tensor2D {
  return isMobileNet(model)
    ? forwardMobileNet(model, x, stats)
    : forwardResNet(model, x, stats);
}

/** Folds batch statistics into running averages with the family's momentum. */
export function updateModelRunningStats(
  model: LabModel,
  stats: BatchStats,
): void {
  if (isMobileNet(model)) updateMobileNetRunningStats(model, stats);
  else updateRunningStats(model, stats);
}

/**
 * Float values of one image's largest activation at `px`: what a single
 * GPU storage buffer must hold per image of a pass.
 */
export function activationValuesPerImage(
  config: ModelConfig,
  px: number,
): number {
  if (familyOf(config.name) === 'mobilenet') {
    return largestActivation(describeMobileNet(asMobileNet(config)), px);
  }
  // The stem's output (half the input side, before max pooling) is the
  // largest activation of a ResNet.
  const stemChannels = describeResNet(asResNet(config)).params[0]!.shape[3]!;
  const side = Math.ceil(px / 2);
  return side * side * stemChannels;
}
