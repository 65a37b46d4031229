// The lab's MobileNetV3-Large as a tfjs Layers model, with built-in layers
// only, so that tf.loadLayersModel reads it without custom classes. tfjs
// has no HardSwish and its hardSigmoid activation is Keras's (slope 0.2),
// not PyTorch's relu6(x + 3) / 6, so the gate is composed: a
// BatchNormalization holding the affine map x / 6 + 1/2 (works on 2-D and
// 4-D alike), a ReLU capped at 1, and for HardSwish a Multiply with x.
// Padding is explicit (ZeroPadding2D, then 'valid'), as in tfjs-layers.ts,
// because tfjs's 'same' padding of a stride-2 convolution is not torch's.
// The classifier's dropout does nothing at inference and is left out.
import * as tf from '@tensorflow/tfjs';
import { MOBILENET_BN_EPSILON, type MobileNetGraph } from '../train/mobilenet';
import type { TensorLookup } from './tfjs-layers';

type Layer = tf.SymbolicTensor;
type ConvBnAct = MobileNetGraph['stem'];
type Block = MobileNetGraph['blocks'][number];

/** Layer names and the weights each is given once the model is built. */
type Assignments = [string, tf.Tensor[]][];

/** Builds the Layers model of `graph`, its weights copied from `value`. */
export function buildMobileNetLayers(
  graph: MobileNetGraph,
  value: TensorLookup,
): tf.LayersModel {
  const built: Built = { assignments: [], gates: [], owned: [], value };

  const input = tf.input({ shape: [null, null, graph.config.inChannels] });
  let h = convBnAct(built, input, graph.stem);
  graph.blocks.forEach((block, i) => {
    h = invertedResidual(built, h, block, `features.${i + 1}`);
  });
  h = convBnAct(built, h, graph.head);
  h = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(h) as Layer;
  h = dense(built, h, 'classifier.0');
  h = hardswish(built, h, 'classifier.1');
  const logits = dense(built, h, 'classifier.3');

  const model = tf.model({ inputs: input, outputs: logits });
  try {
    for (const [name, weights] of built.assignments) {
      model.getLayer(name).setWeights(weights);
    }
    setGates(model, built.gates);
  } finally {
    tf.dispose(built.owned);
  }
  return model;
}

interface Built {
  assignments: Assignments;
  /** The affine layers of the gates, set once the model exists. */
  gates: { name: string; channels: number }[];
  /** Tensors made here (reshaped kernels), disposed once they are set. */
  owned: tf.Tensor[];
  value: TensorLookup;
}

const apply = (layer: tf.layers.Layer, x: Layer | Layer[]) =>
  layer.apply(x) as Layer;

const GATE_EPSILON = 1e-3;

/**
 * PyTorch's Hardsigmoid, relu6(x + 3) / 6, from built-in layers. The
 * affine map is a batch-norm layer, frozen; like every batch norm it
 * normalises by the batch in a training-mode call, so the model is for
 * inference (predict), as the export means it.
 */
function hardsigmoid(built: Built, x: Layer, name: string): Layer {
  const channels = x.shape[x.shape.length - 1]!;
  built.gates.push({ name: `${name}.affine`, channels });
  const affine = tf.layers.batchNormalization({
    epsilon: GATE_EPSILON,
    name: `${name}.affine`,
    trainable: false,
  });
  const scaled = apply(affine, x);
  return apply(tf.layers.reLU({ maxValue: 1, name }), scaled);
}

/** PyTorch's Hardswish, x * hardsigmoid(x). */
function hardswish(built: Built, x: Layer, name: string): Layer {
  const gate = hardsigmoid(built, x, `${name}.gate`);
  return apply(tf.layers.multiply({ name }), [x, gate]);
}

/**
 * The affine gate layers' weights. tfjs computes gamma (x - mean) /
 * sqrt(var + eps) + beta; with mean 0 and var 1, gamma = sqrt(1 + eps) / 6
 * and beta = 1/2 give x / 6 + 1/2, rounded once from float64.
 */
function setGates(model: tf.LayersModel, gates: Built['gates']): void {
  for (const { name, channels } of gates) {
    const fill = (v: number) => tf.fill([channels], v);
    const weights = [
      fill(Math.sqrt(1 + GATE_EPSILON) / 6),
      fill(0.5),
      fill(0),
      fill(1),
    ];
    model.getLayer(name).setWeights(weights);
    tf.dispose(weights);
  }
}

function convBnAct(built: Built, x: Layer, layer: ConvBnAct): Layer {
  const { value, assignments } = built;
  const kernel = value(`${layer.conv}.weight`);
  const pad = (layer.kernel - 1) / 2;
  let h = x;
  if (pad > 0) {
    const padding = tf.layers.zeroPadding2d({
      padding: pad,
      name: `${layer.conv}.pad`,
    });
    h = apply(padding, h);
  }
  const shape = {
    kernelSize: layer.kernel,
    strides: layer.stride,
    padding: 'valid' as const,
    useBias: false,
    name: layer.conv,
  };
  const conv = layer.depthwise
    ? tf.layers.depthwiseConv2d({ ...shape, depthMultiplier: 1 })
    : tf.layers.conv2d({ ...shape, filters: layer.outChannels });
  h = apply(conv, h);
  assignments.push([layer.conv, [kernel]]);
  const bn = tf.layers.batchNormalization({
    epsilon: MOBILENET_BN_EPSILON,
    name: layer.bn,
  });
  h = apply(bn, h);
  const stats = ['weight', 'bias', 'running_mean', 'running_var'];
  assignments.push([layer.bn, stats.map((s) => value(`${layer.bn}.${s}`))]);
  // torchvision's Conv2dNormActivation names its activation `.2`.
  const act = `${layer.conv.slice(0, -'.0'.length)}.2`;
  switch (layer.act) {
    case 'relu':
      return apply(tf.layers.reLU({ name: act }), h);
    case 'hardswish':
      return hardswish(built, h, act);
    case null:
      return h;
  }
}

/** A Dense layer of the lab's [in, out] weight and its bias. */
function dense(built: Built, x: Layer, name: string): Layer {
  const kernel = built.value(`${name}.weight`);
  const units = kernel.shape[kernel.shape.length - 1]!;
  const layer = tf.layers.dense({ units, name });
  const y = apply(layer, x);
  const weight = kernel.reshape([kernel.shape.at(-2)!, units]);
  built.owned.push(weight);
  built.assignments.push([name, [weight, built.value(`${name}.bias`)]]);
  return y;
}

/**
 * Squeeze-and-excitation on the pooled [N, C] vector: two Dense layers
 * (torchvision's 1x1 convolutions), the gate reshaped to [1, 1, C] and
 * broadcast over the map by Multiply.
 */
function squeezeExcite(
  built: Built,
  x: Layer,
  fc1: string,
  fc2: string,
): Layer {
  const se = fc1.slice(0, -'.fc1'.length);
  const channels = x.shape[3]!;
  let s = apply(tf.layers.globalAveragePooling2d({ name: `${se}.avgpool` }), x);
  s = dense(built, s, fc1);
  s = apply(tf.layers.reLU({ name: `${se}.relu` }), s);
  s = dense(built, s, fc2);
  s = hardsigmoid(built, s, `${se}.hardsigmoid`);
  const reshape = tf.layers.reshape({
    targetShape: [1, 1, channels],
    name: `${se}.reshape`,
  });
  s = apply(reshape, s);
  return apply(tf.layers.multiply({ name: `${se}.scale` }), [x, s]);
}

function invertedResidual(
  built: Built,
  x: Layer,
  block: Block,
  prefix: string,
): Layer {
  let y = block.expand ? convBnAct(built, x, block.expand) : x;
  y = convBnAct(built, y, block.depthwise);
  if (block.se) y = squeezeExcite(built, y, block.se.fc1, block.se.fc2);
  y = convBnAct(built, y, block.project);
  if (!block.residual) return y;
  return apply(tf.layers.add({ name: `${prefix}.add` }), [y, x]);
}
