// What the lab's ONNX exporters share (resnet-onnx.ts, mobilenet-onnx.ts):
// a builder that adds nodes and initialisers, eval-mode batch norm folded
// into the convolution before it,
//   y = gamma (conv(x, W) - mean) / sqrt(var + eps) + beta
//     = conv(x, s W) + (beta - s mean),   s = gamma / sqrt(var + eps),
// so each conv-BN pair becomes one Conv with a bias as deployment wants it,
// and the model's inputs, outputs and metadata. Every model takes
// torchvision's input: NCHW float32, normalised per channel as the lab
// normalises, with a dynamic batch size N.
import { BN_EPSILON } from '../train/ops/batch-norm';
import {
  encodeModel,
  type AttributeValue,
  type OnnxInitializer,
  type OnnxNode,
} from './onnx';
import type { ModelWeights, NamedArray } from './read-weights';

export const ONNX_OPSET = 17;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

export interface OnnxExportOptions {
  /** Fixes the input's height and width; by default they are dynamic. */
  imageSize?: number;
  /** The per-channel input normalisation, recorded in the metadata. */
  normalization?: { mean: readonly number[]; std: readonly number[] };
  /** Class names in logit order, recorded in the metadata. */
  classNames?: readonly string[];
}

/** What the metadata and the graph's inputs and outputs need to know. */
export interface OnnxNetwork {
  name: string;
  numClasses: number;
  inChannels: number;
  widthMultiplier: number;
}

/** A convolution and the batch norm after it, by state-dict prefix. */
export interface ConvBnNames {
  conv: string;
  bn: string;
}

export interface ConvShape {
  kernel: number;
  stride: number;
  pad: number;
  /** A depthwise convolution: one group per channel. */
  depthwise?: boolean;
}

export const int = (value: number): AttributeValue => ({ kind: 'int', value });
export const ints = (value: number[]): AttributeValue => ({
  kind: 'ints',
  value,
});
export const float = (value: number): AttributeValue => ({
  kind: 'float',
  value,
});

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];

  constructor(
    private readonly weights: ModelWeights,
    /** The batch-norm epsilon of the network's family. */
    private readonly epsilon: number,
  ) {}

  /** Adds a node with one output named as the node; returns that name. */
  node(
    opType: string,
    name: string,
    inputs: string[],
    attributes?: Record<string, AttributeValue>,
  ): string {
    this.nodes.push({ name, opType, inputs, outputs: [name], attributes });
    return name;
  }

  /**
   * A Conv with the batch norm of `layer` folded into its weight and bias,
   * named `name` (the convolution's state-dict prefix by default).
   */
  convBn(
    x: string,
    layer: ConvBnNames,
    shape: ConvShape,
    name = layer.conv,
  ): string {
    const { epsilon } = this;
    const depthwise = shape.depthwise ?? false;
    const { weight, bias } = foldBatchNorm(this.weights, layer, {
      epsilon,
      depthwise,
    });
    return this.conv(x, name, weight, bias, shape);
  }

  /** A Conv of the lab's own weight and bias (`${name}.weight`, `.bias`). */
  convBias(x: string, name: string, shape: ConvShape): string {
    const w = this.weights.get(`${name}.weight`)!;
    const b = this.weights.get(`${name}.bias`)!;
    const weight = onnxKernel(name, w, null, shape.depthwise ?? false);
    const bias = { name: `${name}.bias`, dims: [b.data.length], data: b.data };
    return this.conv(x, name, weight, bias, shape);
  }

  private conv(
    x: string,
    name: string,
    weight: OnnxInitializer,
    bias: OnnxInitializer,
    { kernel, stride, pad, depthwise }: ConvShape,
  ): string {
    this.initializers.push(weight, bias);
    const attributes: Record<string, AttributeValue> = {
      kernel_shape: ints([kernel, kernel]),
      strides: ints([stride, stride]),
      pads: ints([pad, pad, pad, pad]),
    };
    if (depthwise) attributes.group = int(weight.dims[0]!);
    return this.node('Conv', name, [x, weight.name, bias.name], attributes);
  }

  /**
   * Gemm with torchvision's [out, in] weight (the lab keeps [in, out]);
   * its output is named `output`, the node's name by default.
   */
  linear(x: string, name: string, output = name): string {
    const w = this.weights.get(`${name}.weight`)!;
    const [numIn, numOut] = w.shape as [number, number];
    const data = new Float32Array(numIn * numOut);
    for (let i = 0; i < numIn; i++) {
      for (let k = 0; k < numOut; k++) {
        data[k * numIn + i] = w.data[i * numOut + k]!;
      }
    }
    const bias = this.weights.get(`${name}.bias`)!;
    const [weightName, biasName] = [`${name}.weight`, `${name}.bias`];
    this.initializers.push(
      { name: weightName, dims: [numOut, numIn], data },
      { name: biasName, dims: [numOut], data: bias.data },
    );
    this.nodes.push({
      name,
      opType: 'Gemm',
      inputs: [x, weightName, biasName],
      outputs: [output],
      attributes: { transB: int(1) },
    });
    return output;
  }
}

/**
 * A lab kernel in ONNX layout: [out, in, kh, kw] from [kh, kw, in, out],
 * each output channel times `scale` if given. A depthwise kernel, [kh, kw,
 * channels, 1] in the lab, has the value order of [kh, kw, 1, channels]
 * and becomes [channels, 1, kh, kw], as a Conv with one group per channel
 * takes it.
 */
function onnxKernel(
  name: string,
  w: NamedArray,
  scale: Float64Array | null,
  depthwise: boolean,
): OnnxInitializer {
  const [kh, kw, inC, outC] = w.shape as [number, number, number, number];
  const [numIn, numOut] = depthwise ? [1, inC] : [inC, outC];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < numIn; i++) {
        const from = ((y * kw + x) * numIn + i) * numOut;
        for (let o = 0; o < numOut; o++) {
          const to = ((o * numIn + i) * kh + y) * kw + x;
          out[to] = w.data[from + o]! * (scale ? scale[o]! : 1);
        }
      }
    }
  }
  return { name: `${name}.weight`, dims: [numOut, numIn, kh, kw], data: out };
}

/**
 * The convolution of `layer` with its batch norm folded in, in ONNX
 * layout. The scale is computed in float64 and rounded once.
 */
export function foldBatchNorm(
  weights: ModelWeights,
  layer: ConvBnNames,
  { epsilon = BN_EPSILON, depthwise = false } = {},
): { weight: OnnxInitializer; bias: OnnxInitializer; kernel: number } {
  const get = (name: string) => weights.get(name)!.data;
  const w = weights.get(`${layer.conv}.weight`)!;
  const gamma = get(`${layer.bn}.weight`);
  const beta = get(`${layer.bn}.bias`);
  const mean = get(`${layer.bn}.running_mean`);
  const variance = get(`${layer.bn}.running_var`);

  const numOut = gamma.length;
  const scale = new Float64Array(numOut);
  const bias = new Float32Array(numOut);
  for (let o = 0; o < numOut; o++) {
    scale[o] = gamma[o]! / Math.sqrt(variance[o]! + epsilon);
    bias[o] = beta[o]! - mean[o]! * scale[o]!;
  }
  return {
    weight: onnxKernel(layer.conv, w, scale, depthwise),
    bias: { name: `${layer.conv}.bias`, dims: [numOut], data: bias },
    kernel: w.shape[0]!,
  };
}

export function checkOptions(
  network: OnnxNetwork,
  options: OnnxExportOptions,
): void {
  const { imageSize, normalization, classNames } = options;
  if (
    imageSize !== undefined &&
    !(Number.isInteger(imageSize) && imageSize > 0)
  ) {
    throw new Error(`imageSize: expected a positive integer, got ${imageSize}`);
  }
  const { inChannels, numClasses } = network;
  for (const key of ['mean', 'std'] as const) {
    const values = normalization?.[key];
    if (values && values.length !== inChannels) {
      throw new Error(
        `normalization.${key}: expected ${inChannels} values (one per ` +
          `input channel), got ${values.length}`,
      );
    }
  }
  if (classNames && classNames.length !== numClasses) {
    throw new Error(
      `classNames: expected ${numClasses} names, got ${classNames.length}`,
    );
  }
}

/** The built graph as the bytes of an `.onnx` file. */
export function encodeNetwork(
  network: OnnxNetwork,
  builder: GraphBuilder,
  options: OnnxExportOptions,
): Uint8Array {
  const size = options.imageSize ?? null;
  return encodeModel({
    opsetVersion: ONNX_OPSET,
    producerName: 'recipe-lab',
    producerVersion: '0.1.0',
    docString: `${network.name}, width x${network.widthMultiplier}`,
    graph: {
      name: network.name,
      nodes: builder.nodes,
      initializers: builder.initializers,
      inputs: [
        {
          name: ONNX_INPUT,
          dims: ['N', network.inChannels, size ?? 'H', size ?? 'W'],
        },
      ],
      outputs: [{ name: ONNX_OUTPUT, dims: ['N', network.numClasses] }],
    },
    metadata: metadata(network, options),
  });
}

function metadata(
  network: OnnxNetwork,
  options: OnnxExportOptions,
): Record<string, string> {
  const out: Record<string, string> = {
    model: network.name,
    width_multiplier: String(network.widthMultiplier),
    num_classes: String(network.numClasses),
    input_layout: 'NCHW',
    batch_norm: 'folded into conv',
  };
  if (options.normalization) {
    out.input_mean = JSON.stringify(options.normalization.mean);
    out.input_std = JSON.stringify(options.normalization.std);
  }
  if (options.classNames) {
    out.class_names = JSON.stringify(options.classNames);
  }
  return out;
}
