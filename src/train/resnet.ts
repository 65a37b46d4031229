// ResNet-18/34/50 as in torchvision's `models/resnet.py` (v1.5: the stride
// of a bottleneck sits on its 3x3 convolution), written with tfjs core ops so
// the training loop owns every variable. Parameters and buffers are keyed by
// torchvision's state-dict names (`layer1.0.bn1.running_mean`, `fc.bias`) so
// weights map one to one; kernels are kept in tfjs layout ([kh, kw, in, out])
// and converted only at import and export.
import * as tf from '@tensorflow/tfjs';
import {
  BN_EPSILON,
  batchNormTrain,
  foldRunningStats,
  type BatchStats,
} from './ops/batch-norm';
import type { ParamSpec } from './state-dict';

export type { BatchStats, ParamSpec };

export type ResNetName = 'resnet18' | 'resnet34' | 'resnet50';

export const RESNET_NAMES: readonly ResNetName[] = [
  'resnet18',
  'resnet34',
  'resnet50',
];

interface Architecture {
  block: 'basic' | 'bottleneck';
  layers: readonly [number, number, number, number];
}

const ARCHITECTURES: Record<ResNetName, Architecture> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
};

export interface ResNetConfig {
  name: ResNetName;
  numClasses: number;
  /** Image channels at the input: 3 for RGB, 1 for grayscale. */
  inChannels: number;
  /** Scales every layer's width; 1 is torchvision's ResNet. */
  widthMultiplier: number;
}

/** A layer of the network as data; the forward pass interprets it. */
interface ConvBn {
  conv: string;
  bn: string;
  stride: number;
  pad: number;
}

interface Block {
  convs: ConvBn[];
  downsample: ConvBn | null;
}

export interface ResNetGraph {
  config: ResNetConfig;
  stem: ConvBn;
  blocks: Block[];
  featureChannels: number;
  /** Trainable parameters, in a fixed order (optimizer slots rely on it). */
  params: ParamSpec[];
  /** Batch-norm running statistics: `*.running_mean`, `*.running_var`. */
  buffers: { name: string; shape: number[] }[];
}

function scaled(channels: number, widthMultiplier: number): number {
  return Math.max(1, Math.round(channels * widthMultiplier));
}

/** Lays out the network and lists every parameter with its shape. */
export function describeResNet(config: ResNetConfig): ResNetGraph {
  const arch = ARCHITECTURES[config.name];
  if (!arch) {
    throw new Error(
      `unknown model "${config.name}": expected one of ${RESNET_NAMES.join(', ')}`,
    );
  }
  const params: ParamSpec[] = [];
  const buffers: ResNetGraph['buffers'] = [];

  const addConvBn = (
    prefix: string,
    convName: string,
    bnName: string,
    kernel: number,
    inC: number,
    outC: number,
    stride: number,
  ): ConvBn => {
    const conv = `${prefix}${convName}`;
    const bn = `${prefix}${bnName}`;
    params.push({
      name: `${conv}.weight`,
      shape: [kernel, kernel, inC, outC],
      kind: 'conv',
    });
    params.push({ name: `${bn}.weight`, shape: [outC], kind: 'bn-weight' });
    params.push({ name: `${bn}.bias`, shape: [outC], kind: 'bn-bias' });
    buffers.push({ name: `${bn}.running_mean`, shape: [outC] });
    buffers.push({ name: `${bn}.running_var`, shape: [outC] });
    return { conv, bn, stride, pad: (kernel - 1) / 2 };
  };

  const expansion = arch.block === 'bottleneck' ? 4 : 1;
  let inC = scaled(64, config.widthMultiplier);
  const stem = addConvBn('', 'conv1', 'bn1', 7, config.inChannels, inC, 2);
  const blocks: Block[] = [];

  arch.layers.forEach((numBlocks, stage) => {
    const planes = scaled(64 * 2 ** stage, config.widthMultiplier);
    for (let i = 0; i < numBlocks; i++) {
      const prefix = `layer${stage + 1}.${i}.`;
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const outC = planes * expansion;
      const convs =
        arch.block === 'basic'
          ? [
              addConvBn(prefix, 'conv1', 'bn1', 3, inC, planes, stride),
              addConvBn(prefix, 'conv2', 'bn2', 3, planes, planes, 1),
            ]
          : [
              addConvBn(prefix, 'conv1', 'bn1', 1, inC, planes, 1),
              addConvBn(prefix, 'conv2', 'bn2', 3, planes, planes, stride),
              addConvBn(prefix, 'conv3', 'bn3', 1, planes, outC, 1),
            ];
      const downsample =
        stride !== 1 || inC !== outC
          ? addConvBn(
              prefix,
              'downsample.0',
              'downsample.1',
              1,
              inC,
              outC,
              stride,
            )
          : null;
      blocks.push({ convs, downsample });
      inC = outC;
    }
  });

  params.push({
    name: 'fc.weight',
    shape: [inC, config.numClasses],
    kind: 'fc-weight',
  });
  params.push({ name: 'fc.bias', shape: [config.numClasses], kind: 'fc-bias' });
  return { config, stem, blocks, featureChannels: inC, params, buffers };
}

/** Variables of one network: trainable parameters and BN buffers. */
export interface ResNetState {
  graph: ResNetGraph;
  /** Keyed by torchvision state-dict name, in `graph.params` order. */
  params: Map<string, tf.Variable>;
  buffers: Map<string, tf.Variable>;
}

/** PyTorch's BatchNorm2d momentum: running = 0.9 running + 0.1 batch. */
export const BN_MOMENTUM = 0.1;

let nextModelId = 0;

/**
 * Creates the variables with torchvision's initialisation: Kaiming normal
 * (fan-out, ReLU) for convolutions, BN scale 1 and shift 0, and the default
 * nn.Linear uniform bound 1/sqrt(fan_in) for the classifier. tfjs variable
 * names must be unique in a page, so each model prefixes its own.
 */
export function createResNet(config: ResNetConfig, seed: number): ResNetState {
  const graph = describeResNet(config);
  const prefix = `m${nextModelId++}/`;
  const params = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  tf.tidy(() => {
    graph.params.forEach((spec, i) => {
      const value = initialValue(spec, (seed * 7919 + i * 104729) >>> 0);
      params.set(spec.name, tf.variable(value, true, prefix + spec.name));
    });
    for (const { name, shape } of graph.buffers) {
      const isVar = name.endsWith('running_var');
      const value = isVar ? tf.ones(shape) : tf.zeros(shape);
      buffers.set(name, tf.variable(value, false, prefix + name));
    }
  });
  return { graph, params, buffers };
}

function initialValue(spec: ParamSpec, seed: number): tf.Tensor {
  switch (spec.kind) {
    case 'conv': {
      const [kh, kw, , outC] = spec.shape as [number, number, number, number];
      const std = Math.sqrt(2 / (kh * kw * outC));
      return tf.randomNormal(spec.shape, 0, std, 'float32', seed);
    }
    case 'bn-weight':
      return tf.ones(spec.shape);
    case 'bn-bias':
      return tf.zeros(spec.shape);
    case 'fc-weight':
    case 'fc-bias': {
      const bound = 1 / Math.sqrt(spec.shape[0]!);
      return tf.randomUniform(spec.shape, -bound, bound, 'float32', seed);
    }
    case 'depthwise':
    case 'conv-bias':
      throw new Error(`a ResNet has no ${spec.kind} parameters`);
  }
}

export function disposeResNet(state: ResNetState): void {
  for (const v of state.params.values()) v.dispose();
  for (const v of state.buffers.values()) v.dispose();
}

function variable(state: ResNetState, name: string): tf.Variable {
  const v = state.params.get(name) ?? state.buffers.get(name);
  if (!v) throw new Error(`model has no variable "${name}"`);
  return v;
}

function convBn(
  state: ResNetState,
  x: tf.Tensor4D,
  layer: ConvBn,
  relu: boolean,
  stats: BatchStats | null,
): tf.Tensor4D {
  const kernel = variable(state, `${layer.conv}.weight`) as tf.Tensor4D;
  const y = tf.conv2d(x, kernel, layer.stride, layer.pad);
  const gamma = variable(state, `${layer.bn}.weight`) as tf.Tensor1D;
  const beta = variable(state, `${layer.bn}.bias`) as tf.Tensor1D;
  if (stats) {
    const count = y.size / y.shape[3];
    const sink = (s: tf.Tensor2D) => stats.set(layer.bn, { stats: s, count });
    return batchNormTrain(y, gamma, beta, relu, sink);
  }
  const mean = variable(state, `${layer.bn}.running_mean`) as tf.Tensor1D;
  const variance = variable(state, `${layer.bn}.running_var`) as tf.Tensor1D;
  const out = tf.batchNorm(y, mean, variance, beta, gamma, BN_EPSILON);
  return relu ? tf.relu(out) : out;
}

/**
 * Runs the network on an NHWC batch and returns logits. With `stats` given
 * the pass is in training mode: BN normalises by the batch's own statistics
 * and records them for `updateRunningStats`.
 */
export function forwardResNet(
  state: ResNetState,
  x: tf.Tensor4D,
  stats: BatchStats | null,
): tf.Tensor2D {
  const { graph } = state;
  let h = convBn(state, x, graph.stem, true, stats);
  h = tf.maxPool(h, 3, 2, 1);
  for (const block of graph.blocks) {
    const shortcut = block.downsample
      ? convBn(state, h, block.downsample, false, stats)
      : h;
    let y = h;
    block.convs.forEach((layer, i) => {
      y = convBn(state, y, layer, i < block.convs.length - 1, stats);
    });
    h = tf.relu(y.add<tf.Tensor4D>(shortcut));
  }
  // A 1x1 final map (small inputs) needs no reduction kernel at all.
  const [n, fh, fw, c] = h.shape;
  const pooled =
    fh * fw === 1
      ? h.reshape<tf.Tensor2D>([n, c])
      : h.mean<tf.Tensor2D>([1, 2]);
  const fcW = variable(state, 'fc.weight') as tf.Tensor2D;
  return tf.matMul(pooled, fcW).add(variable(state, 'fc.bias'));
}

/** Folds a training pass's batch statistics into the running averages. */
export function updateRunningStats(
  state: ResNetState,
  stats: BatchStats,
): void {
  foldRunningStats(state.buffers, stats, BN_MOMENTUM);
}
