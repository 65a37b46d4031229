// MobileNetV3-Large as in torchvision's `models/mobilenetv3.py` (Howard et
// al. 2019, "Searching for MobileNetV3"), written with tfjs core ops like
// resnet.ts: the network is data, the forward pass interprets it, and
// parameters and buffers are keyed by torchvision's state-dict names
// (`features.4.block.2.fc1.weight`, `classifier.3.bias`). Kernels are kept
// in tfjs layout; state-dict.ts converts.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../lib/random';
import {
  batchNormTrain,
  foldRunningStats,
  type BatchStats,
} from './ops/batch-norm';
import type { ParamSpec } from './state-dict';

export type MobileNetName = 'mobilenet_v3_large';

export const MOBILENET_NAMES: readonly MobileNetName[] = ['mobilenet_v3_large'];

/**
 * torchvision builds MobileNetV3's BatchNorm2d with eps 0.001 and momentum
 * 0.01 (running = 0.99 running + 0.01 batch), not PyTorch's defaults.
 */
export const MOBILENET_BN_EPSILON = 1e-3;
export const MOBILENET_BN_MOMENTUM = 0.01;

/** torchvision's classifier dropout. */
export const MOBILENET_DROPOUT = 0.2;

type Activation = 'relu' | 'hardswish';

/** kernel, expanded channels, output channels, SE, activation, stride. */
type BlockSetting = [number, number, number, boolean, Activation, number];

// Table 1 of the paper, as torchvision's `_mobilenet_v3_conf` lists it
// (dilation 1, full tail); channels before the width multiplier. The stem
// puts out 16 channels and the head 6 times the last block's.
const LARGE: readonly BlockSetting[] = [
  [3, 16, 16, false, 'relu', 1],
  [3, 64, 24, false, 'relu', 2],
  [3, 72, 24, false, 'relu', 1],
  [5, 72, 40, true, 'relu', 2],
  [5, 120, 40, true, 'relu', 1],
  [5, 120, 40, true, 'relu', 1],
  [3, 240, 80, false, 'hardswish', 2],
  [3, 200, 80, false, 'hardswish', 1],
  [3, 184, 80, false, 'hardswish', 1],
  [3, 184, 80, false, 'hardswish', 1],
  [3, 480, 112, true, 'hardswish', 1],
  [3, 672, 112, true, 'hardswish', 1],
  [5, 672, 160, true, 'hardswish', 2],
  [5, 960, 160, true, 'hardswish', 1],
  [5, 960, 160, true, 'hardswish', 1],
];
const STEM_CHANNELS = 16;
const LAST_CHANNEL = 1280;

export interface MobileNetConfig {
  name: MobileNetName;
  numClasses: number;
  /** Image channels at the input: 3 for RGB, 1 for grayscale. */
  inChannels: number;
  /** torchvision's `width_mult`; 1 is the published network. */
  widthMultiplier: number;
  /** Classifier dropout in training; MOBILENET_DROPOUT when absent. */
  dropout?: number;
}

/** A convolution, its batch norm and an optional activation. */
interface ConvBnAct {
  conv: string;
  bn: string;
  kernel: number;
  stride: number;
  outChannels: number;
  depthwise: boolean;
  act: Activation | null;
}

/** Squeeze-and-excitation: two 1x1 convolutions with biases. */
interface SqueezeExcite {
  fc1: string;
  fc2: string;
}

interface InvertedResidual {
  expand: ConvBnAct | null;
  depthwise: ConvBnAct;
  se: SqueezeExcite | null;
  project: ConvBnAct;
  residual: boolean;
}

export interface MobileNetGraph {
  config: MobileNetConfig;
  stem: ConvBnAct;
  blocks: InvertedResidual[];
  head: ConvBnAct;
  dropout: number;
  /** Trainable parameters, in state-dict order (optimizer slots rely on it). */
  params: ParamSpec[];
  /** Batch-norm running statistics: `*.running_mean`, `*.running_var`. */
  buffers: { name: string; shape: number[] }[];
}

/**
 * torchvision's `_make_divisible(v, 8)`: the nearest multiple of 8, at
 * least 8, and never more than 10% below `v`.
 */
export function makeDivisible(v: number, divisor = 8): number {
  const near = Math.floor((v + divisor / 2) / divisor) * divisor;
  const rounded = Math.max(divisor, near);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/** Lays out the network and lists every parameter with its shape. */
export function describeMobileNet(config: MobileNetConfig): MobileNetGraph {
  if (!MOBILENET_NAMES.includes(config.name)) {
    throw new Error(
      `unknown model "${config.name}": expected one of ` +
        MOBILENET_NAMES.join(', '),
    );
  }
  const params: ParamSpec[] = [];
  const buffers: MobileNetGraph['buffers'] = [];
  const width = (c: number) => makeDivisible(c * config.widthMultiplier);

  const addBn = (bn: string, channels: number) => {
    params.push({ name: `${bn}.weight`, shape: [channels], kind: 'bn-weight' });
    params.push({ name: `${bn}.bias`, shape: [channels], kind: 'bn-bias' });
    buffers.push({ name: `${bn}.running_mean`, shape: [channels] });
    buffers.push({ name: `${bn}.running_var`, shape: [channels] });
  };
  // torchvision's Conv2dNormActivation: `${prefix}.0` the convolution
  // (no bias), `${prefix}.1` the batch norm.
  const addConvBn = (
    prefix: string,
    kernel: number,
    inC: number,
    outC: number,
    stride: number,
    act: Activation | null,
    depthwise = false,
  ): ConvBnAct => {
    params.push({
      name: `${prefix}.0.weight`,
      shape: depthwise
        ? [kernel, kernel, outC, 1]
        : [kernel, kernel, inC, outC],
      kind: depthwise ? 'depthwise' : 'conv',
    });
    addBn(`${prefix}.1`, outC);
    const conv = `${prefix}.0`;
    const bn = `${prefix}.1`;
    return { conv, bn, kernel, stride, outChannels: outC, depthwise, act };
  };
  const addSqueeze = (prefix: string, channels: number): SqueezeExcite => {
    const squeezed = makeDivisible(Math.floor(channels / 4));
    const fc = (name: string, inC: number, outC: number) => {
      const shape = [1, 1, inC, outC];
      params.push({ name: `${name}.weight`, shape, kind: 'conv' });
      params.push({ name: `${name}.bias`, shape: [outC], kind: 'conv-bias' });
      return name;
    };
    return {
      fc1: fc(`${prefix}.fc1`, channels, squeezed),
      fc2: fc(`${prefix}.fc2`, squeezed, channels),
    };
  };

  let inC = width(STEM_CHANNELS);
  const stem = addConvBn(
    'features.0',
    3,
    config.inChannels,
    inC,
    2,
    'hardswish',
  );
  const blocks = LARGE.map(([kernel, expandTo, outTo, se, act, stride], i) => {
    const prefix = `features.${i + 1}.block`;
    const [expanded, outC] = [width(expandTo), width(outTo)];
    let j = 0;
    const next = () => `${prefix}.${j++}`;
    const block: InvertedResidual = {
      expand:
        expanded !== inC ? addConvBn(next(), 1, inC, expanded, 1, act) : null,
      depthwise: addConvBn(
        next(),
        kernel,
        expanded,
        expanded,
        stride,
        act,
        true,
      ),
      se: se ? addSqueeze(next(), expanded) : null,
      project: addConvBn(next(), 1, expanded, outC, 1, null),
      residual: stride === 1 && inC === outC,
    };
    inC = outC;
    return block;
  });
  const headPrefix = `features.${LARGE.length + 1}`;
  const head = addConvBn(headPrefix, 1, inC, 6 * inC, 1, 'hardswish');

  const hidden = width(LAST_CHANNEL);
  const linear = (name: string, inC: number, outC: number) => {
    params.push({
      name: `${name}.weight`,
      shape: [inC, outC],
      kind: 'fc-weight',
    });
    params.push({ name: `${name}.bias`, shape: [outC], kind: 'fc-bias' });
  };
  linear('classifier.0', head.outChannels, hidden);
  linear('classifier.3', hidden, config.numClasses);
  const dropout = config.dropout ?? MOBILENET_DROPOUT;
  return { config, stem, blocks, head, dropout, params, buffers };
}

/**
 * Values one image's largest activation holds at `px` (an expanded map
 * in the early blocks, usually): what one GPU buffer must take per image.
 */
export function largestActivation(graph: MobileNetGraph, px: number): number {
  let side = px;
  let largest = 0;
  const visit = (layer: ConvBnAct) => {
    const pad = (layer.kernel - 1) / 2;
    side = Math.floor((side + 2 * pad - layer.kernel) / layer.stride) + 1;
    largest = Math.max(largest, side * side * layer.outChannels);
  };
  visit(graph.stem);
  for (const b of graph.blocks) {
    if (b.expand) visit(b.expand);
    visit(b.depthwise);
    visit(b.project);
  }
  visit(graph.head);
  return largest;
}

/** Variables of one network, and the seed of its dropout masks. */
export interface MobileNetState {
  graph: MobileNetGraph;
  /** Keyed by torchvision state-dict name, in `graph.params` order. */
  params: Map<string, tf.Variable>;
  buffers: Map<string, tf.Variable>;
  /** Each training pass draws its mask from (seed, passes so far). */
  dropout: { seed: number; numPasses: number };
}

let nextModelId = 0;

/**
 * Creates the variables with torchvision's initialisation: Kaiming normal
 * (fan-out) for every convolution, zero conv biases, BN scale 1 and shift
 * 0, linear weights normal(0, 0.01) and zero biases.
 */
export function createMobileNet(
  config: MobileNetConfig,
  seed: number,
): MobileNetState {
  const graph = describeMobileNet(config);
  // tfjs variable names must be unique in a page.
  const prefix = `mobilenet${nextModelId++}/`;
  const params = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  tf.tidy(() => {
    graph.params.forEach((spec, i) => {
      const value = initialValue(spec, deriveSeed(seed, 'init', i));
      params.set(spec.name, tf.variable(value, true, prefix + spec.name));
    });
    for (const { name, shape } of graph.buffers) {
      const isVar = name.endsWith('running_var');
      const value = isVar ? tf.ones(shape) : tf.zeros(shape);
      buffers.set(name, tf.variable(value, false, prefix + name));
    }
  });
  const dropout = { seed: deriveSeed(seed, 'dropout'), numPasses: 0 };
  return { graph, params, buffers, dropout };
}

function initialValue(spec: ParamSpec, seed: number): tf.Tensor {
  const [kh = 1, kw = 1, inC = 1, outC = 1] = spec.shape;
  const normal = (std: number) =>
    tf.randomNormal(spec.shape, 0, std, 'float32', seed);
  switch (spec.kind) {
    case 'conv':
      // PyTorch's fan-out of an [out, in, kh, kw] weight: out * kh * kw.
      return normal(Math.sqrt(2 / (kh * kw * outC)));
    case 'depthwise':
      // [channels, 1, kh, kw] in PyTorch: fan-out channels * kh * kw.
      return normal(Math.sqrt(2 / (kh * kw * inC)));
    case 'fc-weight':
      return normal(0.01);
    case 'bn-weight':
      return tf.ones(spec.shape);
    case 'bn-bias':
    case 'conv-bias':
    case 'fc-bias':
      return tf.zeros(spec.shape);
  }
}

export function disposeMobileNet(state: MobileNetState): void {
  for (const v of state.params.values()) v.dispose();
  for (const v of state.buffers.values()) v.dispose();
}

function variable(state: MobileNetState, name: string): tf.Variable {
  const v = state.params.get(name) ?? state.buffers.get(name);
  if (!v) throw new Error(`model has no variable "${name}"`);
  return v;
}

/** PyTorch's nn.Hardsigmoid: relu6(x + 3) / 6. */
function hardsigmoid<T extends tf.Tensor>(x: T): T {
  return tf.relu6(x.add(3)).div<T>(6);
}

/** PyTorch's nn.Hardswish: x * relu6(x + 3) / 6. */
function hardswish<T extends tf.Tensor>(x: T): T {
  return x.mul<T>(hardsigmoid(x));
}

function convBnAct(
  state: MobileNetState,
  x: tf.Tensor4D,
  layer: ConvBnAct,
  stats: BatchStats | null,
): tf.Tensor4D {
  const kernel = variable(state, `${layer.conv}.weight`) as tf.Tensor4D;
  const pad = (layer.kernel - 1) / 2;
  const y = layer.depthwise
    ? tf.depthwiseConv2d(x, kernel, layer.stride, pad)
    : tf.conv2d(x, kernel, layer.stride, pad);
  const gamma = variable(state, `${layer.bn}.weight`) as tf.Tensor1D;
  const beta = variable(state, `${layer.bn}.bias`) as tf.Tensor1D;
  const relu = layer.act === 'relu';
  let out: tf.Tensor4D;
  if (stats) {
    const count = y.size / y.shape[3];
    const sink = (s: tf.Tensor2D) => stats.set(layer.bn, { stats: s, count });
    out = batchNormTrain(y, gamma, beta, relu, sink, MOBILENET_BN_EPSILON);
  } else {
    const mean = variable(state, `${layer.bn}.running_mean`) as tf.Tensor1D;
    const variance = variable(state, `${layer.bn}.running_var`) as tf.Tensor1D;
    out = tf.batchNorm(y, mean, variance, beta, gamma, MOBILENET_BN_EPSILON);
    if (relu) out = tf.relu(out);
  }
  return layer.act === 'hardswish' ? hardswish(out) : out;
}

/** Global average pooling to [N, C]; a 1x1 map needs no reduction. */
function pool(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  return h * w === 1 ? x.reshape([n, c]) : x.mean<tf.Tensor2D>([1, 2]);
}

/** x scaled per channel by hardsigmoid(fc2(relu(fc1(pool(x))))). */
function squeezeExcite(
  state: MobileNetState,
  x: tf.Tensor4D,
  se: SqueezeExcite,
): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const fc = (name: string, h: tf.Tensor2D) => {
    const w = variable(state, `${name}.weight`);
    const [inC, outC] = w.shape.slice(2) as [number, number];
    const kernel = w.reshape<tf.Tensor2D>([inC, outC]);
    return tf
      .matMul(h, kernel)
      .add<tf.Tensor2D>(variable(state, `${name}.bias`));
  };
  const squeezed = tf.relu(fc(se.fc1, pool(x)));
  const scale = hardsigmoid(fc(se.fc2, squeezed));
  return x.mul(scale.reshape([n, 1, 1, c]));
}

/**
 * Runs the network on an NHWC batch and returns logits. With `stats` given
 * the pass is in training mode: BN normalises by the batch's own statistics
 * and records them for `updateMobileNetRunningStats`, and the classifier's
 * dropout draws a fresh seeded mask.
 */
export function forwardMobileNet(
  state: MobileNetState,
  x: tf.Tensor4D,
  stats: BatchStats | null,
): tf.Tensor2D {
  const { graph } = state;
  let h = convBnAct(state, x, graph.stem, stats);
  for (const block of graph.blocks) {
    let y = block.expand ? convBnAct(state, h, block.expand, stats) : h;
    y = convBnAct(state, y, block.depthwise, stats);
    if (block.se) y = squeezeExcite(state, y, block.se);
    y = convBnAct(state, y, block.project, stats);
    h = block.residual ? y.add<tf.Tensor4D>(h) : y;
  }
  h = convBnAct(state, h, graph.head, stats);

  const linear = (name: string, v: tf.Tensor2D) =>
    tf
      .matMul(v, variable(state, `${name}.weight`) as tf.Tensor2D)
      .add<tf.Tensor2D>(variable(state, `${name}.bias`));
  let hidden = hardswish(linear('classifier.0', pool(h)));
  if (stats && graph.dropout > 0) {
    const { dropout } = state;
    const seed = deriveSeed(dropout.seed, dropout.numPasses++);
    hidden = tf.dropout(hidden, graph.dropout, undefined, seed) as tf.Tensor2D;
  }
  return linear('classifier.3', hidden);
}

/** Folds a training pass's batch statistics into the running averages. */
export function updateMobileNetRunningStats(
  state: MobileNetState,
  stats: BatchStats,
): void {
  foldRunningStats(state.buffers, stats, MOBILENET_BN_MOMENTUM);
}
